// "Cite this record": show the Copy buttons (hidden without JavaScript, where the text
// stays selectable) and fill in today's date as the access date.
(function () {
  function setup() {
    var today = new Date().toISOString().slice(0, 10);
    document.querySelectorAll(".poems-today").forEach(function (span) { span.textContent = today; });
    document.querySelectorAll("button.poems-copy").forEach(function (button) {
      button.hidden = false;
      button.onclick = function () {
        var target = document.getElementById(button.getAttribute("data-copy"));
        if (!target || !navigator.clipboard) return;
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          button.textContent = "Copied";
        });
      };
    });
  }
  if (window.document$) { window.document$.subscribe(setup); } else { document.addEventListener("DOMContentLoaded", setup); }
})();
