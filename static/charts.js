// charts.js draws every chart of a page. Each chart is a [data-chart]
// container with data-height, followed by its ECharts option as a
// <script type="application/json" data-chart-option="ID"> block written by
// the Go charts package (charts.Chart.HTML). Pages run under a strict
// Content-Security-Policy: no inline script and no style attribute, so the
// option is data read with JSON.parse (never evaluated) and the height is
// set through the CSSOM. Load it after ECharts, with defer.
(function () {
  "use strict";
  function draw() {
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart-option]');
    var drawn = [];
    Array.prototype.forEach.call(blocks, function (block) {
      var el = document.getElementById(block.getAttribute("data-chart-option"));
      if (!el || !el.hasAttribute("data-chart")) {
        throw new Error("charts.js: no [data-chart] element #" + block.getAttribute("data-chart-option"));
      }
      var h = parseInt(el.getAttribute("data-height"), 10);
      if (h > 0) {
        el.style.height = h + "px";
      }
      var chart = echarts.init(el, null, {renderer: "canvas"});
      chart.setOption(JSON.parse(block.textContent));
      drawn.push(chart);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (c) { c.resize(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
