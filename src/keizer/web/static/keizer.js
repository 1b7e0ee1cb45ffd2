// keizer dashboards: draw Plotly charts from data-figure, toggle table views.
// No inline scripts (the Content-Security-Policy allows scripts from this origin only).
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll(".chart[data-figure]").forEach(function (el) {
      if (el.dataset.drawn === "1") { return; }
      var figure = JSON.parse(el.dataset.figure);
      Plotly.newPlot(el, figure.data, figure.layout, {
        responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]
      }).then(function () { el.dataset.drawn = "1"; el.classList.add("drawn"); });
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".toggle-table");
    if (!button) { return; }
    var table = document.getElementById(button.dataset.target);
    if (!table) { return; }
    table.hidden = !table.hidden;
    button.setAttribute("aria-expanded", String(!table.hidden));
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
})();
