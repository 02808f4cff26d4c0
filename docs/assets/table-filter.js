// Filter boxes for tables marked data-filterable: a text box over every cell and a
// list for each column whose header has data-filter. Without JavaScript the whole
// table is shown, so nothing is hidden from readers who cannot run it.
document$.subscribe(function () {
  document.querySelectorAll("table[data-filterable]").forEach(function (table) {
    if (table.dataset.filterReady) return
    table.dataset.filterReady = "1"
    var rows = Array.prototype.slice.call(table.tBodies[0].rows)
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells)
    var form = document.createElement("form")
    form.className = "poems-filter"
    form.setAttribute("role", "search")
    form.setAttribute("aria-label", "Filter the table")
    form.addEventListener("submit", function (event) { event.preventDefault() })

    var text = document.createElement("input")
    text.type = "search"
    text.id = table.id + "-filter"
    var textLabel = document.createElement("label")
    textLabel.htmlFor = text.id
    textLabel.textContent = "Rows containing"
    form.appendChild(textLabel)
    form.appendChild(text)

    var selects = []
    headers.forEach(function (th, index) {
      if (!th.hasAttribute("data-filter")) return
      var values = {}
      rows.forEach(function (row) {
        var cell = row.cells[index]
        var value = cell.getAttribute("data-value") || cell.textContent.trim()
        values[value] = true
      })
      var select = document.createElement("select")
      select.id = table.id + "-filter-" + index
      select.dataset.column = index
      var all = document.createElement("option")
      all.value = ""
      all.textContent = "All"
      select.appendChild(all)
      Object.keys(values).sort().forEach(function (value) {
        var option = document.createElement("option")
        option.value = value
        option.textContent = value
        select.appendChild(option)
      })
      var label = document.createElement("label")
      label.htmlFor = select.id
      label.textContent = th.textContent.trim()
      form.appendChild(label)
      form.appendChild(select)
      selects.push(select)
    })

    var status = document.createElement("p")
    status.className = "poems-filter__status"
    status.setAttribute("aria-live", "polite")
    form.appendChild(status)

    function apply() {
      var needle = text.value.trim().toLowerCase()
      var shown = 0
      rows.forEach(function (row) {
        var ok = !needle || row.textContent.toLowerCase().indexOf(needle) !== -1
        selects.forEach(function (select) {
          if (!ok || !select.value) return
          var cell = row.cells[select.dataset.column]
          var value = cell.getAttribute("data-value") || cell.textContent.trim()
          ok = value === select.value
        })
        row.hidden = !ok
        if (ok) shown++
      })
      status.textContent = "Showing " + shown + " of " + rows.length + " rows"
    }
    text.addEventListener("input", apply)
    selects.forEach(function (select) { select.addEventListener("change", apply) })
    table.parentNode.insertBefore(form, table)
    // Material wraps tables in a scroll container; put the form above that.
    var wrap = table.closest(".md-typeset__scrollwrap")
    if (wrap) wrap.parentNode.insertBefore(form, wrap)
    apply()
  })
})
