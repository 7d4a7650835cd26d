"""Questionnaire files in YAML (DESIGN §5, issue 10 part 1).

Layout (stable; other tools rely on it)::

    code: sipas-service-2025
    name: Phiếu khảo sát sự hài lòng về cung ứng dịch vụ hành chính công
    aspects:
    - {code: TC, name: Tiếp cận dịch vụ, part: DV, weight: 1}
    items:
    - {code: TC1, text: "…", type: likert5, aspect: TC}
    - code: KV
      text: Ông/bà mong muốn cơ quan cải thiện điều gì?
      type: multi                     # likert5 | single | multi | number | text
      aspect: MD
      choices: [{code: NL, label: Năng lực công chức}, …]

Additive keys (optional; a reader that does not know them may ignore them):

* top level ``label`` (e.g. "Mẫu — tái dựng"), ``note``, ``leaf`` (the framework leaf fed
  by the overall index) and ``parts: [{code, name, weight, leaf}]`` (part weights; without
  it every part named by an aspect weighs 1);
* aspect ``leaf``; item ``leaf`` (the framework leaf whose points = max × index / 100),
  ``aggregate: false`` (reported, but left out of the aspect's mean — used for an aspect's
  overall question), ``reconstructed: true`` (wording not from the official form),
  ``required: true`` (the XLSForm marks it required), ``note``.

Checks (all reported together, each with its line): unknown or repeated keys, missing
code/name/text, codes unique among items, aspects and parts and usable as XLSForm names
(a letter or ``_`` first, then letters, digits, ``_ . -``; not ``overall``), an item's
aspect and an aspect's part declared, a known type, choices for single/multi (unique codes
without spaces), none for number/text, likert5 choices exactly 1–5 (default labels "Rất
không hài lòng" … "Rất hài lòng"), weights ≥ 0.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from parindex.engine.survey import (
    ITEM_TYPES,
    LIKERT5_CHOICES,
    OVERALL,
    Aspect,
    Choice,
    Item,
    Part,
    Questionnaire,
    likert5_choices,
)
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_decimal
from parindex.formats.text import SafeLoader, read_text_file

__all__ = [
    "NAME_RE",
    "dumps",
    "load_questionnaire",
    "read_questionnaire",
    "write_questionnaire",
]

TOP_KEYS = ("code", "name", "label", "note", "leaf", "parts", "aspects", "items")
PART_KEYS = ("code", "name", "weight", "leaf")
ASPECT_KEYS = ("code", "name", "part", "weight", "leaf")
ITEM_KEYS = (
    "code",
    "text",
    "type",
    "aspect",
    "choices",
    "leaf",
    "aggregate",
    "reconstructed",
    "required",
    "note",
)
CHOICE_KEYS = ("code", "label")
#: Codes become XLSForm names (XML names without ':').
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_TRUE = {"true", "yes", "có"}
_FALSE = {"false", "no", "không"}


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, node: YamlNode | None, column: str | None, reason: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, column, reason))

    def fields(self, node: YamlNode, keys: tuple[str, ...], what: str) -> dict[str, YamlNode]:
        if not isinstance(node, MappingNode):
            self.add(node, None, f"{what} phải là một bảng khoá: giá trị")
            return {}
        out: dict[str, YamlNode] = {}
        for k, v in node.value:
            key = str(k.value) if isinstance(k, ScalarNode) else "?"
            if key not in keys:
                self.add(k, key, f"khoá '{key}' không được hỗ trợ trong {what} ({', '.join(keys)})")
            elif key in out:
                self.add(k, key, f"khoá '{key}' bị lặp lại trong {what}")
            else:
                out[key] = v
        return out

    def text(self, f: dict[str, YamlNode], key: str, where: YamlNode, required: bool) -> str:
        node = f.get(key)
        value = ""
        if node is not None and not isinstance(node, ScalarNode):
            self.add(node, key, f"'{key}' phải là văn bản")
        elif node is not None and not (node.style is None and node.value in ("", "~", "null")):
            value = str(node.value).strip()
        if required and not value:
            self.add(node or where, key, f"thiếu '{key}'")
        return value

    def code(self, f: dict[str, YamlNode], where: YamlNode, seen: dict[str, int]) -> str:
        code = self.text(f, "code", where, True)
        node = f.get("code", where)
        if not code:
            return ""
        if not NAME_RE.match(code) or code.lower() == OVERALL:
            self.add(
                node,
                "code",
                f"mã {code!r} không dùng được (chữ cái hoặc _ đứng đầu, rồi "
                "chữ, số, _ . -; không được là 'overall')",
            )
        elif code in seen:
            self.add(node, "code", f"mã {code!r} bị trùng (dòng {seen[code]})")
        else:
            seen[code] = node.start_mark.line + 1
        return code

    def ref(
        self,
        f: dict[str, YamlNode],
        key: str,
        where: YamlNode,
        known: set[str] | None,
        what: str,
        listed_in: str,
    ) -> str:
        """A reference to a declared code (required for an item's aspect)."""
        value = self.text(f, key, where, key == "aspect")
        if value and known is not None and value not in known:
            self.add(f[key], key, f"{what} {value!r} không có trong '{listed_in}'")
        return value

    def flag(self, f: dict[str, YamlNode], key: str, default: bool) -> bool:
        node = f.get(key)
        if node is None:
            return default
        value = str(node.value).strip().lower() if isinstance(node, ScalarNode) else ""
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.add(node, key, f"'{key}' phải là true hoặc false")
        return default

    def weight(self, f: dict[str, YamlNode]) -> Decimal:
        node = f.get("weight")
        if node is None:
            return Decimal(1)
        try:
            value = parse_decimal(str(node.value)) if isinstance(node, ScalarNode) else None
        except ValueError:
            value = None
        if value is None or value < 0:
            self.add(node, "weight", "'weight' phải là một số không âm")
            return Decimal(1)
        return value

    def seq(self, f: dict[str, YamlNode], key: str, where: YamlNode) -> list[YamlNode]:
        node = f.get(key)
        if node is None or (isinstance(node, ScalarNode) and node.value in ("", "~", "null")):
            return []
        if not isinstance(node, SequenceNode):
            self.add(node, key, f"'{key}' phải là một danh sách")
            return []
        return list(node.value)

    def choices(self, item: YamlNode, f: dict[str, YamlNode], kind: str) -> tuple[Choice, ...]:
        nodes = self.seq(f, "choices", item)
        out: list[Choice] = []
        seen: set[str] = set()
        for node in nodes:
            cf = self.fields(node, CHOICE_KEYS, "lựa chọn")
            code = self.text(cf, "code", node, True)
            label = self.text(cf, "label", node, True)
            if code and (code in seen or any(ch.isspace() for ch in code)):
                self.add(node, "code", f"mã lựa chọn {code!r} bị trùng hoặc có dấu cách")
            seen.add(code)
            out.append(Choice(code, label))
        if kind in ("single", "multi") and not nodes:
            self.add(item, "choices", f"câu loại {kind} cần danh sách 'choices'")
        if kind in ("number", "text") and nodes:
            self.add(f["choices"], "choices", f"câu loại {kind} không có 'choices'")
        if kind == "likert5":
            if not nodes:
                return likert5_choices()
            if [c.code for c in out] != [c for c, _ in LIKERT5_CHOICES]:
                self.add(f["choices"], "choices", "câu likert5 phải có đúng 5 lựa chọn mã 1–5")
        return tuple(out)

    def questionnaire(self, root: YamlNode) -> Questionnaire | None:
        top = self.fields(root, TOP_KEYS, "bảng hỏi")
        if not top:
            return None
        codes: dict[str, int] = {}
        parts: list[Part] = []
        for node in self.seq(top, "parts", root):
            f = self.fields(node, PART_KEYS, "phần")
            code = self.code(f, node, codes)
            name = self.text(f, "name", node, False)
            parts.append(Part(code, name, self.weight(f), self.text(f, "leaf", node, False)))
        aspects: list[Aspect] = []
        for node in self.seq(top, "aspects", root):
            f = self.fields(node, ASPECT_KEYS, "khía cạnh")
            code = self.code(f, node, codes)
            declared = {p.code for p in parts} if parts else None
            part = self.ref(f, "part", node, declared, "phần", "parts")
            name, leaf = self.text(f, "name", node, True), self.text(f, "leaf", node, False)
            aspects.append(Aspect(code, name, self.weight(f), leaf, part=part))
        if not aspects:
            self.add(top.get("aspects", root), "aspects", "bảng hỏi cần ít nhất một khía cạnh")
        known_aspects = {a.code for a in aspects}
        items: list[Item] = []
        for node in self.seq(top, "items", root):
            f = self.fields(node, ITEM_KEYS, "câu hỏi")
            code = self.code(f, node, codes)
            kind = self.text(f, "type", node, True)
            if kind and kind not in ITEM_TYPES:
                self.add(f["type"], "type", f"loại {kind!r} không có ({', '.join(ITEM_TYPES)})")
            aspect = self.ref(f, "aspect", node, known_aspects, "khía cạnh", "aspects")
            items.append(
                Item(
                    code,
                    self.text(f, "text", node, True),
                    kind,
                    aspect,
                    self.choices(node, f, kind),
                    leaf=self.text(f, "leaf", node, False),
                    aggregate=self.flag(f, "aggregate", True),
                    reconstructed=self.flag(f, "reconstructed", False),
                    required=self.flag(f, "required", False),
                    note=self.text(f, "note", node, False),
                )
            )
        if not items:
            self.add(top.get("items", root), "items", "bảng hỏi cần ít nhất một câu hỏi")
        code = self.text(top, "code", root, True)
        name = self.text(top, "name", root, True)
        if self.problems:
            return None
        return Questionnaire(
            code,
            name,
            tuple(aspects),
            tuple(items),
            tuple(parts),
            label=self.text(top, "label", root, False),
            note=self.text(top, "note", root, False),
            leaf=self.text(top, "leaf", root, False),
        )


def read_questionnaire(
    source: str | TextIO, *, name: str
) -> tuple[Questionnaire | None, list[Problem]]:
    """YAML text or stream → (questionnaire, problems); ``None`` whenever there is a problem."""
    text = source if isinstance(source, str) else source.read()
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return None, [Problem(name, line, None, f"YAML không hợp lệ: {exc}")]
    if root is None:
        return None, [Problem(name, 1, None, "tệp rỗng")]
    reader = _Reader(name)
    q = reader.questionnaire(root)
    return (q if not reader.problems else None), reader.problems


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read a questionnaire file; :class:`FormatError` with every problem."""
    q, problems = read_questionnaire(read_text_file(path), name=str(path))
    if q is None:
        raise FormatError(problems)
    return q


def _number(value: Decimal) -> int | float | str:
    if value == value.to_integral_value():
        return int(value)
    return float(value) if Decimal(repr(float(value))) == value else str(value)


def to_data(q: Questionnaire) -> dict[str, Any]:
    """The questionnaire as plain data in the file's key order (defaults left out)."""
    out: dict[str, Any] = {"code": q.code, "name": q.name}
    for key in ("label", "note", "leaf"):
        if getattr(q, key):
            out[key] = getattr(q, key)
    if q.parts:
        out["parts"] = [
            _compact({"code": p.code, "name": p.name, "weight": p.weight, "leaf": p.leaf})
            for p in q.parts
        ]
    out["aspects"] = [
        _compact(
            {"code": a.code, "name": a.name, "part": a.part, "weight": a.weight, "leaf": a.leaf}
        )
        for a in q.aspects
    ]
    items = []
    for i in q.items:
        row: dict[str, Any] = {"code": i.code, "text": i.text, "type": i.type, "aspect": i.aspect}
        if i.choices and (i.type != "likert5" or i.choices != likert5_choices()):
            row["choices"] = [{"code": c.code, "label": c.label} for c in i.choices]
        row.update(
            _compact(
                {
                    "leaf": i.leaf,
                    "aggregate": i.aggregate,
                    "reconstructed": i.reconstructed,
                    "required": i.required,
                    "note": i.note,
                }
            )
        )
        items.append(row)
    out["items"] = items
    return out


def _compact(row: dict[str, Any]) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "weight": Decimal(1),
        "aggregate": True,
        "reconstructed": False,
        "required": False,
    }
    out: dict[str, Any] = {}
    for k, v in row.items():
        if v == "" or (k in defaults and v == defaults[k]):
            continue
        out[k] = _number(v) if isinstance(v, Decimal) else v
    return out


def dumps(q: Questionnaire) -> str:
    """Deterministic YAML text (Vietnamese unescaped, keys in the file's order)."""
    buf = io.StringIO()
    yaml.safe_dump(to_data(q), buf, allow_unicode=True, sort_keys=False, width=100)
    return buf.getvalue()


def write_questionnaire(q: Questionnaire, path: str | Path) -> None:
    Path(path).write_text(dumps(q), encoding="utf-8")
