"""Accessibility helpers for the browser tests (issue 13 part 8): axe-core run in the page
with every <details> open, Content-Security-Policy violations collected, keyboard moves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

#: axe-core from the npm registry (see vendor/README.md), MPL-2.0.
AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
#: WCAG 2.1 levels A and AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

#: Collects CSP violations of every page of a context (an init script runs before the
#: page's own scripts and is not subject to the page's policy).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
    (e.sourceFile ? " at " + e.sourceFile + ":" + e.lineNumber : ""));
});
"""


def watch_csp(context: Any) -> list[str]:
    """Install the CSP listener on ``context``; the returned list gathers the console's
    "Content Security Policy" errors of every page (read it at the end)."""
    context.add_init_script(CSP_LISTENER)
    found: list[str] = []

    def on_page(page: Page) -> None:
        page.on(
            "console",
            lambda m: (
                found.append(f"{page.url}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )

    context.on("page", on_page)
    return found


def csp_violations(page: Page) -> list[str]:
    """The violations the listener saw on the current page."""
    return list(page.evaluate("window.__csp || []"))


def axe(page: Page) -> list[str]:
    """Run axe over the page with every <details> open; the violations, readable."""
    page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        TAGS,
    )
    lines: list[str] = []
    for v in result["violations"]:
        for node in v["nodes"][:5]:
            target = " ".join(str(t) for t in node["target"])
            summary = node.get("failureSummary", "").strip().replace("\n", " ")
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {target}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"{v['id']}: … và {len(v['nodes']) - 5} phần tử nữa")
    return lines


def tab_to(page: Page, selector: str, limit: int = 400) -> int:
    """Press Tab until the focused element matches ``selector``; the number of presses."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return n
    raise AssertionError(f"Tab không tới được {selector} sau {limit} lần")


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement ? document.activeElement.id : ''"))


def htmx_idle(page: Page) -> None:
    """Wait until no htmx request, swap or settle is under way (a key pressed while htmx
    settles new content would reach a form it has not taken over yet: a plain post, which
    works too, but not the path a test of the htmx page means to take)."""
    # A locator, not wait_for_function: Playwright evaluates that predicate with eval(),
    # which the app's CSP (script-src 'self', no 'unsafe-eval') rightly refuses.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    page.wait_for_timeout(50)  # htmx's settle delay (20 ms) ends after the class is gone
