// Every visible link, button, form control and <summary> in the page's main
// content is a target of at least minSize x minSize CSS pixels (WCAG 2.2
// 2.5.5, enhanced), unless it is a link inside a sentence. axe's own
// target-size rule (2.5.8) lets small targets pass when they are spaced
// apart; a thumb on a tablet at the door needs the whole 44 px.
//
// Evaluated by tests/browser/a11y.py as a function of minSize; returns one
// entry per target that is too small.
(minSize) => {
  const TARGETS = [
    "a[href]",
    "button",
    "input:not([type=hidden])",
    "select",
    "textarea",
    "summary",
    "[role=button]",
    "[role=link]",
    "[tabindex]:not([tabindex='-1'])",
  ].join(",");
  const INLINE = new Set(["inline", "contents"]);
  const main = document.querySelector("main") || document.body;

  const shown = (el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) &&
    el.getClientRects().length > 0;

  // A checkbox or radio is operated through its label too.
  const rectOf = (el) => {
    const rects = [el];
    if (el.labels && (el.type === "checkbox" || el.type === "radio")) {
      rects.push(...Array.from(el.labels).filter(shown));
    }
    const boxes = rects
      .map((node) => node.getBoundingClientRect())
      .filter((r) => r.width > 1 || r.height > 1);
    if (!boxes.length) return { width: 0, height: 0 };
    const left = Math.min(...boxes.map((r) => r.left));
    const top = Math.min(...boxes.map((r) => r.top));
    const right = Math.max(...boxes.map((r) => r.right));
    const bottom = Math.max(...boxes.map((r) => r.bottom));
    return { width: right - left, height: bottom - top };
  };

  const blockOf = (node) => {
    let el = node.parentElement;
    while (el && INLINE.has(getComputedStyle(el).display)) el = el.parentElement;
    return el;
  };

  // An inline link with other words on its line of text: WCAG's "in a
  // sentence" exception. Words in a separate block don't count.
  const inSentence = (el) => {
    if (getComputedStyle(el).display !== "inline") return false;
    const block = blockOf(el);
    if (!block) return false;
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (el.contains(node) || !/[\p{L}\p{N}]{2,}/u.test(node.textContent)) continue;
      const parent = node.parentElement;
      if (!shown(parent)) continue;
      if (blockOf(node) === block) return true;
    }
    return false;
  };

  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    else if (el.getAttribute("name")) name += `[name="${el.getAttribute("name")}"]`;
    else if (el.getAttribute("href")) name += `[href="${el.getAttribute("href")}"]`;
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || "")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 60);
    return text ? `${name} "${text}"` : name;
  };

  const problems = [];
  for (const el of main.querySelectorAll(TARGETS)) {
    if (el.matches(":disabled") || el.closest("[inert]")) continue;
    // Not shown (a visually hidden checkbox is still a target through its
    // label, if that is shown).
    const isChoice = el.type === "checkbox" || el.type === "radio";
    const labelShown = isChoice && Array.from(el.labels || []).some(shown);
    if (!shown(el) && !labelShown) continue;
    const rect = rectOf(el);
    if (!rect.width && !rect.height) continue;
    // Half a pixel for rounding, as axe allows.
    if (rect.width + 0.5 >= minSize && rect.height + 0.5 >= minSize) continue;
    if (inSentence(el)) continue;
    problems.push({
      element: describe(el),
      width: Math.round(rect.width),
      height: Math.round(rect.height),
    });
  }
  return problems;
};
