// Render the math that pymdownx.arithmatex (generic mode) leaves in the page as
// \( ... \) and \[ ... \] inside .arithmatex elements, and the $...$ / $$...$$ of
// notebook markdown cells, with the KaTeX bundled under assets/katex/ (no CDN).
(function () {
  "use strict";

  function render(root) {
    if (typeof renderMathInElement !== "function") {
      return;
    }
    root.querySelectorAll(".arithmatex").forEach(function (element) {
      renderMathInElement(element, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    });
    root.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown").forEach(function (element) {
      renderMathInElement(element, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    });
  }

  if (typeof document$ !== "undefined") {
    // Material's page observable: fires on the first load and after instant navigation.
    document$.subscribe(function () { render(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  }
})();
