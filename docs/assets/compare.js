// Filters for the comparison page (generated/comparison.html: the key-outcome matrix and
// plots) and the full table's page (generated/all-outcomes.html). Each page is complete
// without this script: the matrix, plots and table are static HTML and show every
// figure. The script builds multi-select filters from the choices the page lists in
// #compare-filters[data-facets], hides what a reader deselects (matching the data-*
// attributes on matrix figures and table rows), and keeps the selection in the address
// (?line=newly-diagnosed&regimen=asct-hdm,mdex&q=...), so a view can be shared and a
// reload restores it. Links marked data-keep-filters (between the two pages) carry the
// selection with them. An empty filter means "all".
document$.subscribe(function () {
  var root = document.getElementById("compare-filters")
  if (!root || root.dataset.ready) return
  root.dataset.ready = "1"
  var facets = JSON.parse(root.getAttribute("data-facets"))
  var state = readState()

  function readState() {
    var params = new URLSearchParams(window.location.search)
    var out = { q: params.get("q") || "" }
    facets.forEach(function (facet) {
      var known = facet.options.map(function (o) { return o[0] })
      var chosen = (params.get(facet.key) || "").split(",").filter(function (v) { return known.indexOf(v) !== -1 })
      out[facet.key] = chosen
    })
    return out
  }

  function writeState() {
    var params = new URLSearchParams()
    facets.forEach(function (facet) {
      if (state[facet.key].length) params.set(facet.key, state[facet.key].join(","))
    })
    if (state.q) params.set("q", state.q)
    var query = params.toString()
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash
    window.history.replaceState(null, "", url)
    document.querySelectorAll("a[data-keep-filters]").forEach(function (a) {
      var target = new URL(a.href)
      target.search = query
      a.href = target.href
    })
  }

  function hasWords(text, terms) {
    var haystack = text.toLowerCase()
    return terms.every(function (t) { return haystack.indexOf(t) !== -1 })
  }

  root.textContent = ""
  var form = document.createElement("form")
  form.className = "poems-filters"
  form.setAttribute("role", "search")
  form.setAttribute("aria-label", "Filter the comparison")
  form.addEventListener("submit", function (event) { event.preventDefault() })
  root.appendChild(form)

  // The text box first: a keyboard reaches it a few Tab presses after the page opens.
  var textLabel = document.createElement("label")
  textLabel.className = "poems-filters__text"
  textLabel.appendChild(document.createTextNode("Figures containing every word "))
  var text = document.createElement("input")
  text.type = "search"
  text.name = "q"
  text.value = state.q
  text.addEventListener("input", function () { state.q = text.value.trim(); update() })
  textLabel.appendChild(text)
  form.appendChild(textLabel)

  var summaries = {}
  facets.forEach(function (facet) {
    var box = document.createElement("details")
    box.className = "poems-facet"
    box.dataset.facet = facet.key
    if (facet.open) box.open = true
    var summary = document.createElement("summary")
    box.appendChild(summary)
    summaries[facet.key] = summary
    var group = document.createElement("fieldset")
    var legend = document.createElement("legend")
    legend.className = "poems-visually-hidden"
    legend.textContent = facet.label
    group.appendChild(legend)
    facet.options.forEach(function (option) {
      var label = document.createElement("label")
      var input = document.createElement("input")
      input.type = "checkbox"
      input.name = facet.key
      input.value = option[0]
      input.checked = state[facet.key].indexOf(option[0]) !== -1
      input.addEventListener("change", function () {
        state[facet.key] = Array.prototype.slice.call(group.querySelectorAll("input:checked"))
          .map(function (i) { return i.value })
        update()
      })
      label.appendChild(input)
      label.appendChild(document.createTextNode(" " + option[1]))
      group.appendChild(label)
    })
    box.appendChild(group)
    form.appendChild(box)
  })


  var clear = document.createElement("button")
  clear.type = "button"
  clear.className = "md-button poems-filters__clear"
  clear.textContent = "Show everything"
  clear.addEventListener("click", function () {
    facets.forEach(function (facet) { state[facet.key] = [] })
    state.q = ""
    text.value = ""
    form.querySelectorAll("input[type=checkbox]").forEach(function (i) { i.checked = false })
    update()
  })
  form.appendChild(clear)

  var status = document.createElement("p")
  status.className = "poems-filters__status"
  status.setAttribute("aria-live", "polite")
  form.appendChild(status)

  function allowed(key, value) {
    var chosen = state[key]
    return !chosen || !chosen.length || chosen.indexOf(value) !== -1
  }

  function matches(node, keys) {
    return keys.every(function (key) { return allowed(key, node.getAttribute("data-" + key)) })
  }

  var FIGURE_KEYS = ["regimen", "measure", "line", "transplant", "design", "status"]

  function update() {
    facets.forEach(function (facet) {
      var chosen = state[facet.key]
      var names = facet.options.filter(function (o) { return chosen.indexOf(o[0]) !== -1 })
        .map(function (o) { return o[1] })
      summaries[facet.key].textContent = facet.label + ": " + (names.length ? names.join(", ") : "all")
    })
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean)
    var matrix = document.getElementById("comparison-matrix")
    var without = []
    var figures = 0
    var allFigures = 0
    if (matrix) {
      matrix.querySelectorAll("[data-measure]").forEach(function (cell) {
        if (cell.tagName === "TH" || cell.tagName === "TD") cell.hidden = !allowed("measure", cell.getAttribute("data-measure"))
      })
      var heads = {}
      matrix.querySelectorAll("thead th[data-measure]").forEach(function (th) {
        heads[th.getAttribute("data-measure")] = th.textContent
      })
      matrix.querySelectorAll("tbody tr[data-regimen]").forEach(function (row) {
        var inRow = 0
        var regimen = row.querySelector("th").textContent
        row.querySelectorAll("td").forEach(function (cell) {
          var shown = 0
          var measure = heads[cell.getAttribute("data-measure")] || ""
          cell.querySelectorAll("ul.poems-figures > li").forEach(function (li) {
            // The words may name the regimen or the outcome, as a table row would.
            var ok = matches(li, FIGURE_KEYS) &&
              (!terms.length || hasWords(regimen + " " + measure + " " + li.textContent, terms))
            li.hidden = !ok
            allFigures++
            if (ok) { shown++; figures++ }
          })
          cell.querySelectorAll("ul.poems-patients > li").forEach(function (li) {
            li.hidden = !matches(li, ["line", "transplant"])
          })
          var empty = cell.querySelector(".poems-none--filtered")
          if (empty) empty.hidden = shown > 0
          inRow += shown
        })
        // A regimen with nothing for this selection leaves the matrix, but is named
        // below the filters, so "no figure" is never mistaken for "not looked at".
        var chosen = allowed("regimen", row.getAttribute("data-regimen"))
        row.hidden = !chosen || inRow === 0
        if (chosen && inRow === 0) without.push(row.querySelector("th").textContent.trim())
      })
    }
    var table = document.getElementById("comparison-table")
    var rows = 0
    var allRows = 0
    if (table) {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = matches(row, FIGURE_KEYS)
        if (ok && terms.length) ok = hasWords(row.textContent, terms)
        row.hidden = !ok
        allRows++
        if (ok) rows++
      })
    }
    document.querySelectorAll("figure.poems-forest[data-measure]").forEach(function (figure) {
      figure.hidden = !allowed("measure", figure.getAttribute("data-measure"))
    })
    var parts = []
    if (matrix) parts.push("key outcomes: " + figures + " of " + allFigures + " figures")
    if (table) parts.push(rows + " of " + allRows + " rows")
    status.textContent = "Showing " + parts.join("; ") + "." +
      (matrix && without.length ? " No key-outcome figure for this selection: " + without.join(", ") + "." : "")
    writeState()
  }

  update()
})
