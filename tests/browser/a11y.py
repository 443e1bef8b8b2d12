"""Every page and state the browser tests reach is checked for accessibility.

axe-core (vendor/axe.min.js, from the npm registry; see vendor/VERSIONS) runs
its WCAG 2.0, 2.1 and 2.2 A and AA rules and its best practices, with the
target-size rule asking for 44 px, and tap_targets.js checks that every
target in the main content is 44 x 44 px (WCAG 2.2 2.5.5) or a link in a
sentence, and nothing may make the page wider than the screen. Each state is
checked at phone (390 x 844) and laptop (1280 x 800) sizes, and any problem
fails the test, naming the rule, the element, the page
and the size.

PEERSPACE_A11Y_REPORT=file lists every problem in that file instead of
failing, to fix many pages in one go.

`install()` makes this automatic for every test in tests/browser: every
context gets a small watcher, and before each Playwright action (a click, a
fill, a goto...) the page is checked if it changed since its last check: a
new page, an htmx swap, a menu or <details> opened. What the page shows when
the test ends is checked too. `check_page(page)` checks on demand.

The files under vendor/ are for the tests only and are never served.
"""

from __future__ import annotations

import functools
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE_SOURCE = (HERE / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAP_TARGETS = (HERE / "tap_targets.js").read_text(encoding="utf-8")

MIN_TARGET = 44
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "laptop": LAPTOP}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Problems known and being fixed in their own change, as (axe rule, path
# prefix): reason. Only that rule on those pages passes; remove the entry
# with the fix.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {}

# Run in every document before the page's own scripts: counts changes to the
# page, so a state is checked once however many actions it sees.
WATCH = """
(() => {
  if (window.__a11y) return;
  const state = (window.__a11y = { changes: 0, checked: -1 });
  new MutationObserver(() => { state.changes += 1; }).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
})();
"""
CHANGED = """() => {
  if (document.contentType !== "text/html") return false;
  return !window.__a11y || window.__a11y.checked !== window.__a11y.changes;
}"""
MARK_CHECKED = """() => {
  window.__a11y = window.__a11y || { changes: 0 };
  window.__a11y.checked = window.__a11y.changes;
}"""
# A test that drives the page's clock (page.clock) stops its timers, and axe
# waits on timers: such a page can't be checked while the test holds time.
CLOCK_HELD = "() => !String(window.setTimeout).includes('[native code]')"
# Nothing on its way: no htmx request, swap or settle, no menu opening.
SETTLED = """() => document.readyState === "complete" && !document.querySelector(
  ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added, .collapsing")"""
LOAD_AXE = "() => {\n" + AXE_SOURCE + "\n}"
RUN_AXE = """async ({ tags, minSize }) => {
  axe.configure({ checks: [
    { id: "target-size", options: { minSize } },
    { id: "target-offset", options: { minOffset: minSize } },
  ] });
  const results = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "),
      html: n.html.replace(/\\s+/g, " ").slice(0, 160),
      summary: (n.failureSummary || "").replace(/\\s+/g, " "),
    })),
  }));
}"""

# Nothing wider than the screen: a page that scrolls sideways on a phone hides
# half of what it says (a wide table, a long word). Names the outermost
# elements that stick out.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const out = [];
  const add = (el, right) => {
    if (out.some((outer) => outer.el.contains(el))) return;
    out.push({ el, text: `${describe(el)} reaches ${Math.round(right)} px` });
  };
  for (const el of document.body.querySelectorAll("*")) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && el.checkVisibility()) add(el, right);
  }
  // Words too long to wrap stick out of a box that doesn't.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > width + 1 && node.parentElement.checkVisibility()) {
      add(node.parentElement, right);
    }
  }
  return out.slice(0, 5).map((item) => item.text);
}"""

# The actions a test takes on a page; each is preceded by a check.
LOCATOR_ACTIONS = [
    "check",
    "clear",
    "click",
    "dblclick",
    "drag_to",
    "fill",
    "hover",
    "press",
    "press_sequentially",
    "select_option",
    "set_checked",
    "set_input_files",
    "tap",
    "type",
    "uncheck",
]
PAGE_ACTIONS = [
    "check",
    "click",
    "dblclick",
    "fill",
    "go_back",
    "go_forward",
    "goto",
    "press",
    "reload",
    "select_option",
    "set_content",
    "tap",
    "type",
    "uncheck",
]


class AccessibilityProblems(AssertionError):
    """What a person using a screen reader, a keyboard or a thumb would meet."""


@dataclass
class Record:
    """What was checked in this run, for the closing count."""

    states: list[tuple[str, str]] = field(default_factory=list)

    def write(self, path: str | None) -> None:
        """PEERSPACE_A11Y_RECORD=file: one line per state and size checked."""
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.writelines(f"{size}\t{url}\n" for url, size in self.states)


record = Record()
_contexts: weakref.WeakSet = weakref.WeakSet()
# Contexts without JavaScript, where axe can't run (a test of the page
# without scripts; the same pages are checked with them elsewhere).
_no_script: weakref.WeakSet = weakref.WeakSet()
_busy: set[int] = set()


# What the page is, for skipping a state already checked: the document as it
# stands, less the CSRF tokens that differ every time. (Logging in shows the
# same login page in every test.) The same document at the same size under the
# same stylesheets gives the same results.
DIGEST = """async () => {
  const html = document.documentElement.outerHTML
    .replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "")
    .replace(/&quot;X-CSRFToken&quot;: ?&quot;[^&]*&quot;/g, "");
  const data = new TextEncoder().encode(location.href + "\\n" + html);
  const hash = await crypto.subtle.digest("SHA-256", data);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}"""
# (digest, size) of every state that passed, in this test process.
_passed: set[tuple[str, str]] = set()


def _problems_at(page, size_name: str) -> list[str]:
    digest = page.evaluate(DIGEST)
    if (digest, size_name) in _passed:
        record.states.append((_path(page.url), size_name))
        return []
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(LOAD_AXE)
    found = []
    for violation in page.evaluate(RUN_AXE, {"tags": AXE_TAGS, "minSize": MIN_TARGET}):
        if _known(violation["rule"], page.url):
            continue
        found.append(
            f"{violation['rule']} ({violation['impact']}): {violation['help']}"
        )
        for node in violation["nodes"][:3]:
            found.append(f"    {node['target']}  {node['html']}")
            found.append(f"      {node['summary']}")
        if len(violation["nodes"]) > 3:
            found.append(f"    ... and {len(violation['nodes']) - 3} more like it")
    for culprit in page.evaluate(OVERFLOW):
        found.append(
            f"page-overflow: wider than the screen, so it scrolls sideways: {culprit}"
        )
    for target in page.evaluate(TAP_TARGETS, MIN_TARGET):
        found.append(
            f"tap-target-{MIN_TARGET}: {target['element']} is "
            f"{target['width']}x{target['height']} px (needs {MIN_TARGET}x"
            f"{MIN_TARGET}, or to be a link within a sentence)"
        )
    record.states.append((_path(page.url), size_name))
    if not found:
        _passed.add((digest, size_name))
    return found


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _known(rule: str, url: str) -> bool:
    path = _path(url)
    return any(
        rule == known_rule and path.startswith(prefix)
        for known_rule, prefix in KNOWN_PROBLEMS
    )


def _moved_on(error: Exception) -> bool:
    text = str(error)
    return any(
        words in text
        for words in (
            "Execution context was destroyed",
            "navigation",
            "Target page, context or browser has been closed",
        )
    )


def check_page(page, *, only_if_changed: bool = False) -> None:
    """Check the page as it is now at phone and laptop sizes; raise on problems.

    With only_if_changed, a state already checked is skipped. A page that
    navigates away mid-check is left for its next state to be checked.
    """
    from playwright.sync_api import Error

    if id(page) in _busy or page.is_closed() or not page.url.startswith("http"):
        return
    if page.context in _no_script:
        return
    _busy.add(id(page))
    original = page.viewport_size
    problems: dict[str, list[str]] = {}
    try:
        page.wait_for_load_state("load")
        if page.evaluate(CLOCK_HELD):
            return
        try:
            page.wait_for_function(SETTLED, timeout=5000, polling=50)
        except Error as error:
            if _moved_on(error):
                return
            # Still busy after five seconds: check what it shows anyway.
        if only_if_changed and not page.evaluate(CHANGED):
            return
        if page.evaluate("() => document.contentType") != "text/html":
            return
        sizes = sorted(SIZES.items(), key=lambda item: item[1] != original)
        for name, size in sizes:
            if page.viewport_size != size:
                page.set_viewport_size(size)
            found = _problems_at(page, name)
            if found:
                problems[f"{name} {size['width']}x{size['height']}"] = found
        page.evaluate(MARK_CHECKED)
    except Error as error:
        if _moved_on(error):
            return
        raise
    finally:
        if original and not page.is_closed() and page.viewport_size != original:
            page.set_viewport_size(original)
        _busy.discard(id(page))
    if problems:
        lines = [f"Accessibility problems on {_path(page.url)}:"]
        if len({tuple(found) for found in problems.values()}) == 1:
            problems = {" and ".join(problems): next(iter(problems.values()))}
        for where, found in problems.items():
            lines.append(f"  at {where}:")
            lines += [
                f"  - {line}" if not line.startswith(" ") else line for line in found
            ]
        report = os.environ.get("PEERSPACE_A11Y_REPORT")
        if report:
            # While fixing many pages at once: list them all, fail none.
            with open(report, "a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
            return
        raise AccessibilityProblems("\n".join(lines))


def check_open_pages() -> None:
    """Check what every open page shows now (the end of a test)."""
    for context in list(_contexts):
        for page in context.pages:
            check_page(page, only_if_changed=True)


def _before(action, page_of):
    @functools.wraps(action)
    def checked_first(self, *args, **kwargs):
        page = page_of(self)
        if id(page) not in _busy:
            check_page(page, only_if_changed=True)
        return action(self, *args, **kwargs)

    return checked_first


def install(monkeypatch) -> None:
    """Check every page of every context the browser tests open."""
    from playwright.sync_api import Browser, Locator, Page

    new_context = Browser.new_context

    @functools.wraps(new_context)
    def watched_context(self, *args, **kwargs):
        # Steady colours for color-contrast: no transitions half way.
        kwargs.setdefault("reduced_motion", "reduce")
        context = new_context(self, *args, **kwargs)
        context.add_init_script(WATCH)
        _contexts.add(context)
        if kwargs.get("java_script_enabled") is False:
            _no_script.add(context)
        return context

    monkeypatch.setattr(Browser, "new_context", watched_context)
    for name in LOCATOR_ACTIONS:
        monkeypatch.setattr(
            Locator, name, _before(getattr(Locator, name), lambda loc: loc.page)
        )
    for name in PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _before(getattr(Page, name), lambda p: p))
