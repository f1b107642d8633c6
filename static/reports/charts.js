/* Draw each chart with plotly.js from the same data as its SVG fallback. */
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-plotly]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plotly"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var target = document.createElement("div");
      target.className = "plotly-target";
      el.appendChild(target);
      window.Plotly.newPlot(target, figure.data, figure.layout, {
        displayModeBar: false, responsive: true, displaylogo: false
      }).then(function () { el.classList.add("is-plotted"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
})();
