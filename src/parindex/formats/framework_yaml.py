"""Framework files in YAML (DESIGN §5).

Layout::

    code: sample-departments-2025
    name: Bộ tiêu chí mẫu — Sở, ban, ngành
    label: Bộ tiêu chí mẫu
    decision: ...
    year: 2025
    total: 100
    nodes:
    - code: '1'
      name: Công tác chỉ đạo, điều hành cải cách hành chính
      max_points: 9.5
      children:
      - code: '1.1'
        name: Ban hành kế hoạch CCHC năm
        max_points: 1
        source: self            # self | survey | sipas | statistic | bonus | penalty
        rule:
          type: tiers
          tiers:
          - {label: Kịp thời, points: 1}
        guidance: ...           # hướng dẫn chấm
        evidence: ...           # tài liệu kiểm chứng
        note: ...

Reading rules:

- ``max_points: null`` (also ``~``, empty, or the string ``unknown``) means *unknown*: the
  value is not established by the sources and is never guessed. A missing ``max_points``
  is unknown too.
- Numbers are parsed to ``Decimal`` from their source text (never through ``float``);
  a decimal comma is accepted in quoted numbers (``"0,5"``).
- A child's code must extend its parent's code by one dotted part (``1`` → ``1.2``), so
  that the Excel table (where the hierarchy is read from STT) carries the same tree.
- Every band needs ``min``, ``max`` and ``points``. Bounds default as in
  :mod:`parindex.engine.rules` (``min_inclusive: true``; ``max_inclusive: false`` except on
  the band with the highest ``max``); the reader always writes both flags into the rule,
  so the file, the Excel table and the engine see the same explicit bounds.
- Every problem (unknown key, missing code/name, bad number, duplicate code …) is
  collected with its line number and raised together as :class:`FormatError`.

Writing is deterministic: keys in a fixed order, default or empty keys left out
(``source: self``, empty texts, no children), Vietnamese text unescaped, numbers
normalised (``9.50`` → ``9.5``), tier and band entries written as one-line flow maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.nodes import Node as YamlNode

from parindex.engine.framework import (
    MAX_DEPTH,
    RULE_TYPES,
    SOURCES,
    Framework,
    Node,
    Rule,
    too_deep_message,
)
from parindex.formats.errors import FormatError, Problem
from parindex.formats.numbers import parse_grouped
from parindex.formats.text import SafeLoader, read_text_file

__all__ = [
    "BAND_KEYS",
    "RULE_PARAMS",
    "TIER_KEYS",
    "decimal_text",
    "dumps",
    "loads",
    "read_framework_yaml",
    "write_framework_yaml",
]

TOP_KEYS = ("code", "name", "label", "decision", "year", "total", "nodes")
NODE_KEYS = (
    "code",
    "name",
    "max_points",
    "source",
    "rule",
    "guidance",
    "evidence",
    "note",
    "children",
)
#: Parameters of each rule type, in the order they are written. ``number`` values are
#: Decimal, ``text`` values str, ``tiers``/``bands`` lists of maps (see below).
RULE_PARAMS: dict[str, dict[str, str]] = {
    "manual": {},
    "binary": {"points": "number"},
    "tiers": {"tiers": "tiers"},
    "bands": {"bands": "bands"},
    "proportional": {"scale": "number", "floor": "number", "cap": "number", "threshold": "number"},
    "count": {"per": "number", "cap": "number"},
    "deduction": {"per": "number", "floor": "number"},
    "survey": {"scale_min": "number", "scale_max": "number"},
    "metric": {"metric": "text", "scale": "number"},
}
TIER_KEYS: dict[str, str] = {"label": "text", "points": "number"}
BAND_KEYS: dict[str, str] = {
    "min": "number",
    "max": "number",
    "min_inclusive": "bool",
    "max_inclusive": "bool",
    "points": "number",
}
#: Parameters a rule of the type cannot do without.
REQUIRED_PARAMS: dict[str, tuple[str, ...]] = {
    "tiers": ("tiers",),
    "bands": ("bands",),
    "metric": ("metric",),
}

_UNKNOWN_WORDS = {"", "~", "null", "none", "unknown", "?", "chưa rõ"}
_NULL_PLAIN = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE", "yes", "Yes", "có"}
_FALSE = {"false", "False", "FALSE", "no", "No", "không"}


# ---------------------------------------------------------------- numbers


def decimal_text(value: Decimal) -> str:
    """Canonical text of a number: no exponent, no trailing zeros (``9.50`` → ``9.5``)."""
    text = format(value.normalize(), "f")
    if text in ("-0", "+0"):
        return "0"
    return text


# ---------------------------------------------------------------- reading


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: YamlNode | None, column: str | None, reason: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, column, reason))

    # -- scalar helpers -------------------------------------------------------

    def mapping(
        self, node: YamlNode, allowed: tuple[str, ...] | Mapping[str, str], what: str
    ) -> dict[str, tuple[ScalarNode, YamlNode]]:
        """Keys of a mapping node → (key node, value node); reports unknown/duplicate keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, None, f"{what} phải là một bảng khoá: giá trị")
            return {}
        out: dict[str, tuple[ScalarNode, YamlNode]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, None, f"khoá không hợp lệ trong {what}")
                continue
            key = str(key_node.value)
            if key not in allowed:
                known = ", ".join(allowed)
                self.problem(
                    key_node, key, f"khoá '{key}' không được hỗ trợ trong {what} (dùng: {known})"
                )
                continue
            if key in out:
                self.problem(key_node, key, f"khoá '{key}' bị lặp lại trong {what}")
                continue
            out[key] = (key_node, value_node)
        return out

    @staticmethod
    def is_null(node: YamlNode) -> bool:
        # a plain scalar's style is None (pure loader) or "" (libyaml's)
        return isinstance(node, ScalarNode) and not node.style and node.value in _NULL_PLAIN

    def text(self, node: YamlNode, key: str, *, required: bool = False) -> str:
        if self.is_null(node):
            if required:
                self.problem(node, key, f"thiếu giá trị '{key}'")
            return ""
        if not isinstance(node, ScalarNode):
            self.problem(node, key, f"'{key}' phải là một chuỗi văn bản")
            return ""
        value = str(node.value)
        if required and not value.strip():
            self.problem(node, key, f"'{key}' không được để trống")
        return value

    def number(self, node: YamlNode, key: str, *, allow_unknown: bool = False) -> Decimal | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, key, f"'{key}' phải là một số")
            return None
        raw = str(node.value)
        if allow_unknown and (self.is_null(node) or raw.strip().lower() in _UNKNOWN_WORDS):
            return None
        if self.is_null(node):
            self.problem(node, key, f"thiếu giá trị số cho '{key}'")
            return None
        value = parse_grouped(raw)
        if value is None:
            self.problem(node, key, f"'{key}' phải là một số, không phải '{raw}'")
        return value

    def boolean(self, node: YamlNode, key: str) -> bool | None:
        raw = str(node.value) if isinstance(node, ScalarNode) else ""
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        self.problem(node, key, f"'{key}' phải là true hoặc false, không phải '{raw}'")
        return None

    def typed(self, node: YamlNode, key: str, kind: str) -> Any:
        if kind == "number":
            return self.number(node, key)
        if kind == "bool":
            return self.boolean(node, key)
        return self.text(node, key, required=True)

    # -- structure ------------------------------------------------------------

    def framework(self, root: YamlNode | None) -> Framework | None:
        if root is None:
            self.problems.append(Problem(self.file, 1, None, "tệp rỗng, không có bộ tiêu chí"))
            return None
        keys = self.mapping(root, TOP_KEYS, "bộ tiêu chí")
        if not isinstance(root, MappingNode):
            return None
        code = name = ""
        for key in ("code", "name"):
            if key not in keys:
                self.problem(root, key, f"thiếu khoá '{key}' của bộ tiêu chí")
        if "code" in keys:
            code = self.text(keys["code"][1], "code", required=True)
        if "name" in keys:
            name = self.text(keys["name"][1], "name", required=True)
        label = self.text(keys["label"][1], "label") if "label" in keys else ""
        decision = self.text(keys["decision"][1], "decision") if "decision" in keys else ""
        year: int | None = None
        if "year" in keys and not self.is_null(keys["year"][1]):
            ynode = keys["year"][1]
            raw = str(ynode.value) if isinstance(ynode, ScalarNode) else ""
            if raw.strip().isdigit():
                year = int(raw)
            else:
                self.problem(ynode, "year", f"'year' phải là năm (số nguyên), không phải '{raw}'")
        total = None
        if "total" in keys:
            total = self.number(keys["total"][1], "total", allow_unknown=True)
        nodes: tuple[Node, ...] = ()
        seen: dict[str, int] = {}
        if "nodes" not in keys:
            self.problem(root, "nodes", "thiếu khoá 'nodes' (danh sách lĩnh vực)")
        else:
            nodes = self.node_list(keys["nodes"][1], None, seen)
        return Framework(
            code=code,
            name=name,
            decision=decision,
            year=year,
            total=total,
            nodes=nodes,
            label=label,
        )

    def node_list(
        self, seq: YamlNode, parent: str | None, seen: dict[str, int]
    ) -> tuple[Node, ...]:
        if self.is_null(seq):
            return ()
        if not isinstance(seq, SequenceNode):
            self.problem(seq, "children" if parent else "nodes", "phải là một danh sách")
            return ()
        out = []
        for item in seq.value:
            node = self.node(item, parent, seen)
            if node is not None:
                out.append(node)
        return tuple(out)

    def node(self, item: YamlNode, parent: str | None, seen: dict[str, int]) -> Node | None:
        keys = self.mapping(item, NODE_KEYS, "tiêu chí")
        if not isinstance(item, MappingNode):
            return None
        code = name = ""
        if "code" not in keys:
            self.problem(item, "code", "tiêu chí thiếu khoá 'code'")
        else:
            cnode = keys["code"][1]
            code = self.text(cnode, "code", required=True).strip()
            if code:
                if code in seen:
                    self.problem(cnode, "code", f"mã '{code}' bị trùng (đã có ở dòng {seen[code]})")
                else:
                    seen[code] = cnode.start_mark.line + 1
                expected = code.rsplit(".", 1)[0] if "." in code else None
                if expected != parent:
                    where = f"nằm dưới '{parent}'" if parent else "là lĩnh vực (cấp 1)"
                    self.problem(
                        cnode,
                        "code",
                        f"mã '{code}' {where}: mã con phải là mã cha thêm một phần sau dấu chấm",
                    )
        if "name" not in keys:
            self.problem(item, "name", f"tiêu chí '{code}' thiếu khoá 'name'")
        else:
            name = self.text(keys["name"][1], "name", required=True)
        max_points = None
        if "max_points" in keys:
            max_points = self.number(keys["max_points"][1], "max_points", allow_unknown=True)
        source = "self"
        if "source" in keys:
            snode = keys["source"][1]
            source = self.text(snode, "source").strip() or "self"
            if source not in SOURCES:
                self.problem(
                    snode,
                    "source",
                    f"nguồn điểm '{source}' không hợp lệ (dùng: {', '.join(SOURCES)})",
                )
                source = "self"
        rule = None
        if "rule" in keys and not self.is_null(keys["rule"][1]):
            rule = self.rule(keys["rule"][1])
        texts = {}
        for key in ("guidance", "evidence", "note"):
            texts[key] = self.text(keys[key][1], key) if key in keys else ""
        children: tuple[Node, ...] = ()
        if "children" in keys:
            children = self.node_list(keys["children"][1], code or None, seen)
        return Node(
            code=code,
            name=name,
            max_points=max_points,
            source=source,
            rule=rule,
            guidance=texts["guidance"],
            evidence=texts["evidence"],
            note=texts["note"],
            children=children,
        )

    def rule(self, node: YamlNode) -> Rule | None:
        if isinstance(node, ScalarNode):  # shorthand: ``rule: binary``
            rtype = str(node.value).strip()
            if rtype not in RULE_TYPES:
                self.problem(node, "rule", f"cách chấm '{rtype}' không hợp lệ")
                return None
            return finish_rule(rtype, {})
        allowed = ("type", *sorted({k for p in RULE_PARAMS.values() for k in p}))
        keys = self.mapping(node, allowed, "cách chấm (rule)")
        if not isinstance(node, MappingNode):
            return None
        if "type" not in keys:
            self.problem(node, "rule", "cách chấm thiếu khoá 'type'")
            return None
        tnode = keys.pop("type")[1]
        rtype = self.text(tnode, "type", required=True).strip()
        if rtype not in RULE_TYPES:
            self.problem(
                tnode,
                "type",
                f"loại cách chấm '{rtype}' không hợp lệ (dùng: {', '.join(RULE_TYPES)})",
            )
            return None
        spec = RULE_PARAMS[rtype]
        params: dict[str, Any] = {}
        for key, (knode, vnode) in keys.items():
            if key not in spec:
                self.problem(knode, key, f"cách chấm '{rtype}' không có tham số '{key}'")
                continue
            kind = spec[key]
            if kind == "tiers":
                params[key] = self.entries(vnode, key, TIER_KEYS, ("label", "points"))
            elif kind == "bands":
                params[key] = self.entries(vnode, key, BAND_KEYS, ("min", "max", "points"))
            else:
                params[key] = self.typed(vnode, key, kind)
        for key in REQUIRED_PARAMS.get(rtype, ()):
            if key not in params:
                self.problem(node, key, f"cách chấm '{rtype}' thiếu tham số '{key}'")
        return finish_rule(rtype, params)

    def entries(
        self, seq: YamlNode, key: str, spec: Mapping[str, str], required: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        if not isinstance(seq, SequenceNode) or not seq.value:
            self.problem(seq, key, f"'{key}' phải là một danh sách không rỗng")
            return []
        out = []
        for item in seq.value:
            keys = self.mapping(item, spec, f"một mục của '{key}'")
            entry: dict[str, Any] = {}
            for k, (_kn, vnode) in keys.items():
                entry[k] = self.typed(vnode, k, spec[k])
            for k in required:
                if k not in keys:
                    self.problem(item, k, f"một mục của '{key}' thiếu '{k}'")
            out.append(entry)
        return out


def finish_rule(rtype: str, params: Mapping[str, Any]) -> Rule:
    """Build a Rule with canonical params: band bounds always carry explicit inclusivity."""
    clean = dict(params)
    if rtype == "bands" and isinstance(clean.get("bands"), list):
        tops = [b["max"] for b in clean["bands"] if isinstance(b.get("max"), Decimal)]
        top = max(tops) if tops else None
        bands = []
        for band in clean["bands"]:
            b = dict(band)
            b.setdefault("min_inclusive", True)
            b.setdefault("max_inclusive", top is not None and b.get("max") == top)
            bands.append({k: b[k] for k in BAND_KEYS if k in b})
        clean["bands"] = bands
    order = RULE_PARAMS.get(rtype, {})
    ordered = {k: clean[k] for k in order if k in clean}
    return Rule(type=rtype, params=ordered)


#: Collections nested deeper than this are refused before composing: PyYAML's composer
#: recurses (a 300-level file raised RecursionError). A depth-6 leaf with a banded rule
#: needs 2·6 + 5 levels; anything far beyond is not a framework.
_MAX_NESTING = 4 * MAX_DEPTH


def depth_problem(text: str, file: str) -> Problem | None:
    """The first criterion deeper than :data:`MAX_DEPTH` (or absurd nesting), located.

    Reads the event stream, which does not recurse: a criterion's depth is the number of
    enclosing ``nodes``/``children`` lists.
    """
    # One frame per open collection: [is_mapping, expecting_key, last_key, via_key].
    stack: list[list[Any]] = []
    levels = 0  # open lists that are the value of ``nodes`` or ``children``
    for event in yaml.parse(text, Loader=SafeLoader):
        top = stack[-1] if stack else None
        if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            if top is not None and top[0]:
                if top[1]:
                    top[2] = getattr(event, "value", None)
                top[1] = not top[1]
        elif isinstance(event, yaml.CollectionStartEvent):
            via = top[2] if top is not None and top[0] else None
            is_map = isinstance(event, yaml.MappingStartEvent)
            mark = event.start_mark
            line = None if mark is None else mark.line + 1
            in_list = top is not None and not top[0] and top[3] in ("nodes", "children")
            if is_map and in_list and levels > MAX_DEPTH:
                return Problem(file, line, None, too_deep_message("", levels))
            if len(stack) >= _MAX_NESTING:
                return Problem(file, line, None, too_deep_message("", MAX_DEPTH + 1))
            if not is_map and via in ("nodes", "children"):
                levels += 1
            stack.append([is_map, True, None, via])
        elif isinstance(event, yaml.CollectionEndEvent):
            frame = stack.pop()
            if not frame[0] and frame[3] in ("nodes", "children"):
                levels -= 1
            if stack and stack[-1][0]:
                stack[-1][1] = True  # the collection was a value: a key comes next
    return None


def loads(text: str, file: str = "<chuỗi>") -> Framework:
    """Parse framework YAML text. Raises :class:`FormatError` listing every problem."""
    try:
        deep = depth_problem(text, file)
        if deep is not None:
            raise FormatError([deep])
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = f"YAML không hợp lệ: {exc.problem or exc.context}"
        raise FormatError([Problem(file, line, None, reason)]) from exc
    except yaml.YAMLError as exc:
        raise FormatError([Problem(file, None, None, f"YAML không hợp lệ: {exc}")]) from exc
    reader = _Reader(file)
    fw = reader.framework(root)
    if reader.problems or fw is None:
        raise FormatError(reader.problems)
    return fw


def read_framework_yaml(path: str | Path) -> Framework:
    """Read a framework YAML file (UTF-8, BOM allowed)."""
    return loads(read_text_file(path), file=str(path))


# ---------------------------------------------------------------- writing


class _Flow(dict[str, Any]):
    """A mapping written on one line: ``{label: Kịp thời, points: 1}``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key (``children:\n  - code: …``): easier to read.
        return super().increase_indent(flow, False)


def _repr_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = decimal_text(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _repr_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _repr_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_Dumper.add_representer(Decimal, _repr_decimal)
_Dumper.add_representer(str, _repr_str)
_Dumper.add_representer(_Flow, _repr_flow)


def _rule_data(rule: Rule) -> dict[str, Any]:
    data: dict[str, Any] = {"type": rule.type}
    spec = RULE_PARAMS.get(rule.type, {})
    keys = [k for k in spec if k in rule.params] + [k for k in rule.params if k not in spec]
    for key in keys:
        value = rule.params[key]
        if key == "tiers":
            value = [_Flow((k, t[k]) for k in TIER_KEYS if k in t) for t in value]
        elif key == "bands":
            value = [_Flow((k, b[k]) for k in BAND_KEYS if k in b) for b in value]
        data[key] = value
    return data


def _node_data(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {"code": node.code, "name": node.name, "max_points": node.max_points}
    if node.source != "self":
        data["source"] = node.source
    if node.rule is not None:
        data["rule"] = _rule_data(node.rule)
    for key in ("guidance", "evidence", "note"):
        value = getattr(node, key)
        if value:
            data[key] = value
    if node.children:
        data["children"] = [_node_data(c) for c in node.children]
    return data


def dumps(fw: Framework) -> str:
    """Framework → YAML text (deterministic)."""
    data: dict[str, Any] = {"code": fw.code, "name": fw.name}
    if fw.label:
        data["label"] = fw.label
    if fw.decision:
        data["decision"] = fw.decision
    if fw.year is not None:
        data["year"] = fw.year
    data["total"] = fw.total
    data["nodes"] = [_node_data(n) for n in fw.nodes]
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        indent=2,
    )


def write_framework_yaml(fw: Framework, path: str | Path) -> None:
    """Write a framework as UTF-8 YAML."""
    Path(path).write_text(dumps(fw), encoding="utf-8")
