// Results page, progressive enhancement only (without it the folded parts open on a click):
// a link to an action or area inside a folded part opens that part, and printing opens all.
(function () {
  "use strict";

  function reveal(id) {
    var target = id && document.getElementById(id);
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    return target;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (!link) return;
    var target = reveal(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (target) target.scrollIntoView();
  });
  window.addEventListener("hashchange", function () { reveal(decodeURIComponent(location.hash.slice(1))); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  if (location.hash) reveal(decodeURIComponent(location.hash.slice(1)));
})();
