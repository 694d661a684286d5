// The language switcher keeps the reader's place: a click on the other language's link
// (a.md-select__link, which points at the same page in that language) carries the
// current #anchor along. Both languages give their headings the same explicit ids
// (## Title {#anchor}), so the anchor exists on the other side too.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element &&
      event.target.closest("a.md-select__link[hreflang]");
    if (!link || !window.location.hash) {
      return;
    }
    var target = new URL(link.href, window.location.href);
    target.hash = window.location.hash;
    link.href = target.href;
  }, true);
})();
