// Survey charts: the data comes from json_script elements, never from inline scripts (CSP).
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function fit(chart) {
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var charts = readJson("survey-charts") || [];
  charts.forEach(function (data) {
    var el = document.getElementById(data.id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.labels,
               axisLabel: { width: 140, overflow: "truncate" } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      series: [{ type: "bar", data: data.counts, itemStyle: { color: "#0d6efd" },
                 label: { show: true, position: "right" } }]
    });
    fit(chart);
  });

  var compare = readJson("compare-chart");
  if (compare) {
    var el = document.getElementById(compare.id);
    if (el) {
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        legend: { top: 0 },
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: compare.labels,
                 axisLabel: { width: 160, overflow: "truncate" } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        series: compare.series.map(function (s, i) {
          return { name: s.name, type: "bar", data: s.values,
                   itemStyle: { color: i === 0 ? "#adb5bd" : "#198754" },
                   label: { show: true, position: "right", formatter: "{c}%" } };
        })
      });
      fit(chart);
    }
  }
})();
