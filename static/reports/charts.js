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
      // To a screen reader the drawn chart is one image named like its SVG fallback; its
      // figures are in the table or text beside it (plotly's own SVG reads as loose labels).
      var fallback = el.querySelector("svg[aria-label]");
      target.setAttribute("role", "img");
      if (fallback) target.setAttribute("aria-label", fallback.getAttribute("aria-label"));
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
