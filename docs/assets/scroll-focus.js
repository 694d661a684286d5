// Every region that scrolls sideways can be reached and scrolled with the keyboard
// (WCAG 2.1.1; axe-core's scrollable-region-focusable): a code cell of a notebook, a
// preformatted block in a notebook's markdown, a wide table (Material wraps it in
// .md-typeset__scrollwrap) or a display formula wider than a phone (.katex-display) gets
// tabindex="0" while it overflows, so Tab stops on it and the arrow keys scroll it. A region
// that fits gets no tab stop. The theme already does this for the pages' own code blocks.
(function () {
  "use strict";

  var SELECTOR = [
    ".highlight-ipynb",
    ".jupyter-wrapper pre",
    ".md-typeset__scrollwrap",
    ".katex-display",
  ].join(",");

  function overflows(element) {
    return element.scrollWidth > element.clientWidth + 1 ||
      element.scrollHeight > element.clientHeight + 1;
  }

  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (element) {
      if (element.hasAttribute("tabindex") && !element.hasAttribute("data-scroll-focus")) {
        return; // focusable already (by the theme)
      }
      if (overflows(element)) {
        element.setAttribute("tabindex", "0");
        element.setAttribute("data-scroll-focus", "");
      } else if (element.hasAttribute("data-scroll-focus")) {
        element.removeAttribute("tabindex");
        element.removeAttribute("data-scroll-focus");
      }
    });
  }

  var pending = 0;
  function schedule() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(update);
  }

  // After the theme (tables) and KaTeX (formulas) have rendered, and again when the width
  // changes (a phone turned sideways).
  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { window.setTimeout(schedule, 0); });
  }
  window.addEventListener("load", schedule);
  window.addEventListener("resize", schedule);
})();
