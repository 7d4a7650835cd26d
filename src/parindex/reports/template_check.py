"""Word templates cannot run code: the sandboxed Jinja environment every .docx template is
rendered with, and the check of a template's tags before it is accepted.

docxtpl turns a .docx into Jinja source (body, headers, footers, footnotes and the core
properties are all rendered). An admin-supplied template is untrusted code, so:

* rendering uses :func:`sandbox_env` — Jinja's ``ImmutableSandboxedEnvironment`` (no
  attribute starting with ``_``, no mutation of the context, ``SecurityError`` otherwise)
  without any global (no ``cycler``, ``joiner``, ``namespace``, ``range``, ``lipsum``);
* :func:`check_template` parses every rendered part and refuses unknown variables and
  unsafe expressions (attributes or keys starting with ``_``, calls other than
  ``loop.cycle(...)``, filters outside :data:`SAFE_FILTERS`, statements other than
  ``for``/``if``/``set``), naming each offending expression in Vietnamese.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

#: Filters a template may use (pure text/number formatting; no ``attr``, ``safe``, ``map``).
SAFE_FILTERS = frozenset(
    {
        "abs", "capitalize", "center", "count", "d", "default", "e", "escape", "first",
        "float", "int", "join", "last", "length", "list", "lower", "max", "min", "replace",
        "reverse", "round", "sort", "string", "sum", "title", "trim", "truncate", "unique",
        "upper", "wordcount",
    }
)  # fmt: skip
#: Names a template may use besides the documented context variables (docxtpl's own
#: ``{% vm %}``/``{% hm %}`` tags generate ``loop.first``/``loop.length``).
_BUILTIN_NAMES = frozenset({"loop"})
_ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.For, nodes.If, nodes.Assign,
    nodes.Name, nodes.Const, nodes.Getattr, nodes.Getitem, nodes.Slice, nodes.Call,
    nodes.Filter, nodes.Test, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Neg,
    nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Mod,
    nodes.Concat, nodes.Compare, nodes.Operand, nodes.Tuple, nodes.List, nodes.Dict,
    nodes.Pair, nodes.Keyword,
)  # fmt: skip
_BINARY = {
    nodes.Add: "+", nodes.Sub: "-", nodes.Mul: "*", nodes.Div: "/", nodes.FloorDiv: "//",
    nodes.Mod: "%", nodes.Pow: "**", nodes.And: "and", nodes.Or: "or",
}  # fmt: skip


def sandbox_env(*, autoescape: bool = True) -> ImmutableSandboxedEnvironment:
    """The environment every Word template is parsed and rendered with."""
    env = ImmutableSandboxedEnvironment(autoescape=autoescape)
    env.globals.clear()
    return env


def template_sources(tpl: Any) -> Iterator[str]:
    """The Jinja source of every part docxtpl renders: body, headers, footers, footnotes
    (patched the way docxtpl patches them) and the text core properties."""
    from docx.oxml import parse_xml

    tpl.init_docx()
    yield tpl.patch_xml(tpl.get_xml())
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _key, part in tpl.get_headers_footers(uri):
            yield tpl.patch_xml(tpl.xml_to_string(parse_xml(part.blob)))
    footnotes = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    for part in tpl.docx.part.package.parts:
        if part.content_type == footnotes:
            blob = part.blob
            yield tpl.patch_xml(blob.decode("utf-8") if isinstance(blob, bytes) else blob)
    props = tpl.docx.core_properties
    for prop in ("author", "comments", "identifier", "language", "subject", "title"):
        yield getattr(props, prop) or ""


def unparse(node: nodes.Node) -> str:
    """Template text of an expression node (to name it in a message)."""
    u = unparse
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{u(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{u(node.node)}[{u(node.arg)}]"
    if isinstance(node, nodes.Call):
        args = [u(a) for a in node.args] + [f"{k.key}={u(k.value)}" for k in node.kwargs]
        return f"{u(node.node)}({', '.join(args)})"
    if isinstance(node, nodes.Filter | nodes.Test):
        args = [u(a) for a in node.args] + [f"{k.key}={u(k.value)}" for k in node.kwargs]
        sep = " | " if isinstance(node, nodes.Filter) else " is "
        head = u(node.node) if node.node is not None else ""
        return f"{head}{sep}{node.name}" + (f"({', '.join(args)})" if args else "")
    for cls, op in _BINARY.items():
        if isinstance(node, cls):
            return f"{u(node.left)} {op} {u(node.right)}"
    if isinstance(node, nodes.Not):
        return f"not {u(node.node)}"
    if isinstance(node, nodes.Neg | nodes.Pos):
        return ("-" if isinstance(node, nodes.Neg) else "+") + u(node.node)
    if isinstance(node, nodes.Compare):
        return u(node.expr) + "".join(f" {o.op} {u(o.expr)}" for o in node.ops)
    if isinstance(node, nodes.CondExpr):
        tail = f" else {u(node.expr2)}" if node.expr2 is not None else ""
        return f"{u(node.expr1)} if {u(node.test)}{tail}"
    if isinstance(node, nodes.Tuple | nodes.List):
        inner = ", ".join(u(i) for i in node.items)
        return f"({inner})" if isinstance(node, nodes.Tuple) else f"[{inner}]"
    if isinstance(node, nodes.Concat):
        return " ~ ".join(u(n) for n in node.nodes)
    return f"<{type(node).__name__}>"


def _problem(node: nodes.Node) -> str | None:
    """Why one node is unsafe, or None."""
    if not isinstance(node, _ALLOWED_NODES):
        return f"câu lệnh hoặc biểu thức “{type(node).__name__}” không được phép trong mẫu"
    if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
        return f"thuộc tính “{node.attr}” bị cấm"
    if (
        isinstance(node, nodes.Getitem)
        and isinstance(node.arg, nodes.Const)
        and isinstance(node.arg.value, str)
        and node.arg.value.startswith("_")
    ):
        return f"khoá “{node.arg.value}” bị cấm"
    if isinstance(node, nodes.Call):
        target = node.node
        if not (
            isinstance(target, nodes.Getattr)
            and target.attr == "cycle"
            and isinstance(target.node, nodes.Name)
            and target.node.name == "loop"
        ):
            return "không được gọi hàm trong mẫu"
    if isinstance(node, nodes.Filter) and node.name not in SAFE_FILTERS:
        return f"bộ lọc “{node.name}” không được phép"
    if isinstance(node, nodes.Filter):  # join/sort/sum/… (attribute="a.b") read attributes
        for kw in node.kwargs:
            value = kw.value.value if isinstance(kw.value, nodes.Const) else None
            parts = str(value).split(".") if isinstance(value, str | int) else []
            if kw.key == "attribute" and any(p.startswith("_") for p in parts):
                return f"thuộc tính “{value}” bị cấm"
    return None


def _roots(tree: nodes.Template) -> Iterator[nodes.Node]:
    """The top-level expressions (what an offence is named by) and unexpected statements."""
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Output):
            yield from (n for n in node.nodes if not isinstance(n, nodes.TemplateData))
        elif isinstance(node, nodes.For):
            yield node.iter
            if node.test is not None:
                yield node.test
        elif isinstance(node, nodes.If):
            yield node.test
        elif isinstance(node, nodes.Assign):
            yield node.node
        elif not isinstance(node, _ALLOWED_NODES):
            yield node


def _expression_problems(root: nodes.Node) -> list[str]:
    found = _problem(root)
    if found is not None and not isinstance(root, nodes.Expr):
        return [found]
    reasons = [found] if found else []
    reasons += [r for n in root.find_all(nodes.Node) if (r := _problem(n))]
    return list(dict.fromkeys(reasons))


def check_sources(sources: Iterable[str], known: frozenset[str]) -> set[str]:
    """The variables the sources use; ``ValueError`` naming every unknown variable and
    every unsafe expression (Vietnamese)."""
    env = sandbox_env()
    used: set[str] = set()
    problems: list[str] = []
    for source in sources:
        if not source:
            continue
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            raise ValueError(f"Thẻ mẫu sai cú pháp (dòng {exc.lineno}): {exc.message}") from exc
        used |= meta.find_undeclared_variables(tree)
        for root in _roots(tree):
            reasons = _expression_problems(root)
            if reasons:
                text = unparse(root) if isinstance(root, nodes.Expr) else type(root).__name__
                problems.append(f"“{{{{ {text} }}}}”: {'; '.join(reasons)}")
    unknown = sorted(used - known - _BUILTIN_NAMES)
    if unknown:
        problems.insert(0, "biến không có trong tài liệu: " + ", ".join(unknown))
    if problems:
        raise ValueError(
            "Mẫu bị từ chối vì có biểu thức không an toàn hoặc không được hỗ trợ — "
            + " | ".join(dict.fromkeys(problems))
            + " (xem docs/reports.md)."
        )
    return used - _BUILTIN_NAMES


def check_template(source: Any, known: frozenset[str]) -> set[str]:
    """Open a .docx template (path or binary file) and check every rendered part; returns
    the documented variables it uses. ``ValueError`` (Vietnamese) otherwise."""
    from docxtpl import DocxTemplate

    try:
        tpl = DocxTemplate(source)
        sources = list(template_sources(tpl))
    except zipfile.BadZipFile as exc:
        raise ValueError("Tệp không phải là tài liệu Word .docx hợp lệ.") from exc
    except KeyError as exc:
        raise ValueError("Tệp .docx thiếu phần nội dung (word/document.xml).") from exc
    except Exception as exc:
        raise ValueError(f"Không đọc được mẫu .docx: {exc}") from exc
    return check_sources(sources, known)
