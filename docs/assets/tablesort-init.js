// Material for MkDocs' documented tablesort recipe ("Data tables: sortable tables"),
// with the library served from this site. Tables marked data-nosort (key-value
// tables) are left alone. document$ fires on every page load.
document$.subscribe(function () {
  var tables = document.querySelectorAll("article table:not([class]):not([data-nosort])")
  tables.forEach(function (table) {
    new Tablesort(table)
  })
})
