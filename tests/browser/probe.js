// Injected into a page by tests/test_browser.py and read back with chromium --dump-dom: what
// overflows horizontally, which boxes scroll, and whether code is coloured.
(function () {
  var vw = document.documentElement.clientWidth;
  function describe(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (typeof el.className === "string" && el.className) s += "." + el.className.trim().split(/\s+/).join(".");
    return s;
  }
  function scrolls(cs) { return cs.overflowX === "auto" || cs.overflowX === "scroll"; }
  var spills = [], clipped = [], scrolling = [];
  var all = document.body.querySelectorAll("*");
  for (var i = 0; i < all.length; i++) {
    var el = all[i], cs = getComputedStyle(el);
    if (cs.display === "none" || el.id === "regdsl-probe") continue;
    // inside a box that scrolls, content may be wider than the page: the box is what counts
    var inScroller = false;
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(getComputedStyle(p))) { inScroller = true; break; }
    }
    if (inScroller) continue;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 1) spills.push(describe(el) + " ends at " + Math.round(r.right) + "px");
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
      if (scrolls(cs)) scrolling.push(describe(el));
      else if (cs.overflowX !== "visible") clipped.push(describe(el));
    }
  }
  var keyword = document.querySelector(".highlight .kn, .highlight .kd, .highlight .k");
  var report = {
    viewport: vw,
    page_width: document.documentElement.scrollWidth,
    spills: spills.slice(0, 20),
    clipped: clipped.slice(0, 20),
    scrolling: scrolling,
    keyword: keyword ? keyword.textContent : null,
    keyword_color: keyword ? getComputedStyle(keyword).color : null,
    text_color: keyword ? getComputedStyle(keyword.closest("pre") || keyword.parentElement).color : null
  };
  var out = document.createElement("script");
  out.type = "application/json";
  out.id = "regdsl-probe";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);
})();
