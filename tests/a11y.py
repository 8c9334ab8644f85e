"""Accessibility checks on a live page: axe-core, reflow at 320 px, touch targets.

axe-core is the pinned file in tests/vendor/ (see its README), evaluated in the
page through the DevTools protocol, so the pages' own Content-Security-Policy
(no inline scripts) stays in force while it runs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

VENDOR = Path(__file__).resolve().parent / "vendor"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
assert hashlib.sha256(AXE_SOURCE.encode()).hexdigest() == AXE_SHA256, "axe.min.js changed"

# The smallest phone width WCAG 1.4.10 (reflow) asks for, and the target size we keep.
PHONE = {"width": 320, "height": 640}
MIN_TARGET_PX = 44
BLOCKING_IMPACTS = ("serious", "critical")


# Counts the websocket messages htmx has swapped in, so a test can wait for the
# greeting that redraws the screen after the page loads (and not act mid-swap).
COUNT_SOCKET_MESSAGES = """
window.__socketMessages = 0;
document.addEventListener('htmx:wsAfterMessage', () => { window.__socketMessages += 1; });
"""


def phone_context(browser: Browser, width: int = PHONE["width"]) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": width, "height": PHONE["height"]},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.add_init_script(COUNT_SOCKET_MESSAGES)
    return context


def wait_for_greeting(page: Page) -> None:
    """Wait until the live page's socket has redrawn the screen once."""
    page.wait_for_function("() => window.__socketMessages > 0")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Every serious or critical axe-core violation on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE + "\n;void 0")
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    # Rules that passed prove axe really ran on this page (and not on nothing).
    assert result["passes"], "axe-core checked nothing"
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable listing: rule, impact, what it means, and where."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}: {node['html'][:160]}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"       {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {where}:\n{describe(violations)}"


def wide_elements(page: Page) -> list[str]:
    """The innermost elements that stick out past the right edge (for a message)."""
    found: list[str] = page.evaluate(
        """() => { const w = document.documentElement.clientWidth;
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 0.5
                         && ![...e.children].some(c => c.getBoundingClientRect().right > w + 0.5))
            .map(e => e.outerHTML.slice(0, 120)); }"""
    )
    return found


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it reflows)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


SMALL_TARGETS = """(min) => {
  const small = [], seen = new Set();
  const visible = (el) =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const check = (el, what) => {
    if (seen.has(el) || !visible(el)) return;
    seen.add(el);
    const r = el.getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const size = `${r.width.toFixed(0)}x${r.height.toFixed(0)}`;
      small.push(`${what} ${el.outerHTML.slice(0, 100)} is ${size}`);
    }
  };
  const controls = 'main button, main select, main textarea, main input, '
    + 'header button, header select';
  for (const el of document.querySelectorAll(controls)) {
    if (el.type === 'hidden') continue;
    if (el.type === 'radio' || el.type === 'checkbox') {
      // A small box is fine inside a large label: the label is what a finger hits.
      check(el.closest('label') || el, 'label of');
    } else {
      check(el, 'control');
    }
  }
  return small;
}"""


def small_targets(page: Page) -> list[str]:
    """Buttons, fields and choice labels smaller than 44 x 44 CSS pixels."""
    found: list[str] = page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)
    return found


def check_phone_page(page: Page, where: str) -> None:
    """What every participant screen must pass at 320 px: axe, reflow, targets."""
    assert horizontal_overflow(page) <= 0, f"{where} scrolls sideways: {wide_elements(page)}"
    assert small_targets(page) == [], f"{where}: targets under 44 px: {small_targets(page)}"
    assert_accessible(page, where)
