// Small repairs for keyboard and screen-reader users, where Material's page chrome or a
// wide table needs one (tests/site/test_accessibility_browser.py checks them):
//
// 1. Scroll boxes. Boxes that scroll sideways inside a page (Material's table wrapper, the evidence map,
// a summary-of-findings table on a phone) must be reachable by keyboard, or a reader
// without a mouse cannot see their right-hand side (WCAG 2.1.1; axe-core's
// scrollable-region-focusable). Each box that overflows at the current width becomes a
// focusable, named region; one that fits loses the extra tab stop. Re-checked when the
// window changes size.
(function () {
  var CANDIDATES = "article .md-typeset__scrollwrap, article .md-typeset__table, article table, article pre, " +
    "article figure, article div"
  var MARK = "data-poems-scroll-region"

  function scrolls(el) {
    var x = getComputedStyle(el).overflowX
    return (x === "auto" || x === "scroll") && el.scrollWidth > el.clientWidth + 1
  }

  function name(el) {
    var caption = el.matches("table") ? el.caption : el.querySelector("caption")
    var figure = el.closest("figure")
    var text = caption ? caption.textContent : figure && figure.querySelector("figcaption")
      ? figure.querySelector("figcaption").textContent.split(":")[0] : ""
    return text.replace(/\s+/g, " ").trim() || "Table"
  }

  function unmark(el) {
    if (!el.hasAttribute(MARK)) return
    el.removeAttribute("tabindex")
    el.removeAttribute(MARK)
    if (!el.matches("table")) {
      el.removeAttribute("role")
      el.removeAttribute("aria-label")
    }
  }

  function update() {
    var marked = []
    var names = {}
    // Document order: a box inside one already marked (nested scrollers) stays unmarked,
    // and a name used twice on the page gets a number, so each region is told apart.
    document.querySelectorAll(CANDIDATES).forEach(function (el) {
      var inside = marked.some(function (outer) { return outer.contains(el) })
      if (inside || !scrolls(el)) { unmark(el); return }
      if (el.hasAttribute("tabindex") && !el.hasAttribute(MARK)) return  // focusable already
      el.setAttribute("tabindex", "0")
      el.setAttribute(MARK, "")
      marked.push(el)
      if (el.matches("table")) return  // a table keeps its role; its caption names it
      var label = name(el)
      names[label] = (names[label] || 0) + 1
      el.setAttribute("role", "region")
      el.setAttribute("aria-label", label + (names[label] > 1 ? " " + names[label] : "") + " (scrolls sideways)")
    })
  }

  // 2. The navigation drawer. On narrow screens Material opens the navigation with a
  // <label> in the header, which the keyboard cannot reach. It becomes a button (Enter or
  // Space opens and closes the drawer) that says whether it is open. Opening it moves the
  // keyboard into the drawer (to its first control on screen), so the next Tab does not
  // land in the page hidden behind it; Escape closes it and puts focus back on the
  // button; tabbing out of it closes it. (WCAG 2.4.3 focus order.)
  var DRAWER = ".md-sidebar--primary"
  var FOCUSABLE = "a[href], button, input:not([type=hidden]):not(.md-toggle), select, textarea, [tabindex]:not([tabindex='-1'])"

  // The first control a reader can see in the open drawer: Material's nested levels lie
  // over one another, so a control counts only when it is the topmost thing at its centre.
  function firstOnScreen(drawer) {
    var controls = drawer.querySelectorAll(FOCUSABLE)
    for (var i = 0; i < controls.length; i++) {
      var r = controls[i].getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
      if (hit && (controls[i] === hit || controls[i].contains(hit))) return controls[i]
    }
    return null
  }

  // The drawer slides in; its controls are looked for once it has arrived (or after a
  // second, whatever happens).
  function focusInto(drawer, toggle, tries) {
    if (!toggle.checked) return
    if (drawer.getBoundingClientRect().left < -1 && tries < 20) {
      window.setTimeout(function () { focusInto(drawer, toggle, tries + 1) }, 50)
      return
    }
    var first = firstOnScreen(drawer)
    if (first) first.focus()
  }

  function drawerButton() {
    var toggle = document.getElementById("__drawer")
    if (!toggle) return
    document.querySelectorAll('label.md-header__button[for="__drawer"]').forEach(function (label) {
      if (label.hasAttribute("tabindex")) return
      label.setAttribute("tabindex", "0")
      label.setAttribute("role", "button")
      label.setAttribute("aria-label", "Navigation")
      label.setAttribute("aria-expanded", String(toggle.checked))
      toggle.addEventListener("change", function () {
        label.setAttribute("aria-expanded", String(toggle.checked))
        var drawer = document.querySelector(DRAWER)
        if (!toggle.checked || !drawer) return
        window.requestAnimationFrame(function () { focusInto(drawer, toggle, 0) })
      })
      // Material itself clicks a focused label on Enter (its global keyboard handler);
      // stopping the event here keeps that from toggling the drawer a second time.
      label.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" && event.key !== " ") return
        event.preventDefault()
        event.stopPropagation()
        label.click()
      })
      document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || !toggle.checked) return
        label.click()
        label.focus()
      })
      document.addEventListener("focusin", function (event) {
        var drawer = document.querySelector(DRAWER)
        if (!toggle.checked || !drawer || drawer.contains(event.target) || event.target === label) return
        label.click()  // tabbed out of the open drawer: it closes behind the reader
      })
    })
  }

  var pending = false
  function later() {
    if (pending) return
    pending = true
    window.requestAnimationFrame(function () { pending = false; update() })
  }
  window.addEventListener("resize", later)
  function setup() { drawerButton(); later() }
  if (window.document$) { window.document$.subscribe(setup) } else { document.addEventListener("DOMContentLoaded", setup) }
})()
