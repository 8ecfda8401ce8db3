// Draws the consumption trend from the JSON block next to the chart; the table works without it.
(function () {
  "use strict";
  var el = document.getElementById("consumption-chart");
  if (!el || typeof echarts === "undefined") {
    return;
  }
  var source = document.getElementById(el.dataset.series);
  if (!source) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    grid: { left: 56, right: 16, top: 32, bottom: 28 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", name: el.dataset.label },
    series: [{ type: "bar", data: data.values, itemStyle: { color: "#0d6efd" } }],
  });
  window.addEventListener("resize", function () {
    chart.resize();
  });
})();
