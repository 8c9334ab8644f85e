"""What every screen must satisfy, measured in the browser: the projector's
screen fits (it cannot scroll) and its text is big enough for the back row; a
phone never scrolls sideways. Each check returns what is wrong, in words, and an
empty list when nothing is. tests/test_projector_fit.py uses them too.
"""

from __future__ import annotations

from playwright.sync_api import Page

# The smallest text the projector may show, at 1920 x 1080 CSS px: 24 px is
# about 1/45 of the screen's height, which a hall's back row (15-20 m from a
# 3 m wide screen) still reads. A smaller screen scales the whole picture, so
# the floor scales with it (16 px at 1280 x 720).
FONT_FLOOR_1080 = 24.0


def font_floor(width: int, height: int) -> float:
    return FONT_FLOOR_1080 * min(width / 1920, height / 1080)


# Shared by the scripts below: a short name for an element, as in a CSS selector,
# with the start of its text.
_DESCRIBE = """
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += '#' + el.id;
  for (const c of el.classList) name += '.' + c;
  const text = (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ');
  return text ? `${name} "${text.length > 40 ? text.slice(0, 40) + '…' : text}"` : name;
};
// Meant to be seen: a box of some size (the visually-hidden class leaves a 1 px
// box for screen readers), not hidden, and not parked above or left of the page
// until it has the focus (the skip link). Below or right of the screen is not
// parked: it is cut off.
const seen = (el, r) => r.width >= 2 && r.height >= 2 && r.right > 0 && r.bottom > 0 &&
  getComputedStyle(el).visibility !== 'hidden';
"""

_FIT = (
    "() => {"
    + _DESCRIBE
    + """
  const W = window.innerWidth, H = window.innerHeight;
  const problems = [];
  const root = document.documentElement;
  if (root.scrollHeight > H)
    problems.push(`the page is ${root.scrollHeight} px tall on a ${H} px high screen`);
  if (root.scrollWidth > W)
    problems.push(`the page is ${root.scrollWidth} px wide on a ${W} px wide screen`);
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!seen(el, r)) continue;
    const out = r.bottom > H + 0.5 || r.right > W + 0.5 || r.top < -0.5 || r.left < -0.5;
    if (out) outside.push([el, r]);
  }
  // Name the innermost ones (an evidence item rather than the list around it).
  const inner = outside.filter(
    ([el]) => !outside.some(([other]) => other !== el && el.contains(other)));
  for (const [el, r] of inner.slice(0, 4)) {
    const where = r.bottom > H + 0.5
      ? `reaches ${Math.round(r.bottom)} px, below the ${H} px screen`
      : r.right > W + 0.5 ? `reaches ${Math.round(r.right)} px, right of the ${W} px screen`
      : `starts outside the screen at (${Math.round(r.left)}, ${Math.round(r.top)})`;
    problems.push(`${describe(el)} ${where}`);
  }
  if (inner.length > 4) problems.push(`and ${inner.length - 4} more elements outside the screen`);
  return problems;
}"""
)

_SMALL_TEXT = (
    "(floor) => {"
    + _DESCRIBE
    + """
  const found = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (!seen(el, range.getBoundingClientRect())) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < floor - 0.05 && !found.has(el)) found.set(el, size);
  }
  return [...found].slice(0, 6).map(([el, size]) =>
    `${describe(el)} is ${size.toFixed(1)} px, under the ${floor.toFixed(1)} px floor`);
}"""
)

_SIDEWAYS = """() => {
  const root = document.documentElement;
  return root.scrollWidth > root.clientWidth
    ? [`the page is ${root.scrollWidth} px wide on a ${root.clientWidth} px wide screen`] : [];
}"""


def projector_misfits(page: Page) -> list[str]:
    """What does not fit the projector's screen (a projector cannot scroll)."""
    found: list[str] = page.evaluate(_FIT)
    return [f"does not fit: {problem}" for problem in found]


def projector_small_text(page: Page) -> list[str]:
    """Visible text smaller than the floor for this screen size."""
    size = page.viewport_size
    assert size is not None
    floor = font_floor(size["width"], size["height"])
    found: list[str] = page.evaluate(_SMALL_TEXT, floor)
    return [f"text too small: {problem}" for problem in found]


def sideways_scroll(page: Page) -> list[str]:
    """A phone or tablet page wider than its screen (WCAG 1.4.10 reflow)."""
    found: list[str] = page.evaluate(_SIDEWAYS)
    return [f"scrolls sideways: {problem}" for problem in found]
