// The dashboard's and scorecard's charts (ECharts). Data comes from json_script elements,
// never from inline scripts (CSP). Readable on a phone and on the hall's big screen.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#adb5bd"];
  var LEVEL_COLOURS = ["#198754", "#75b798", "#ffc107", "#fd7e14", "#dc3545"];

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function big() { return document.fullscreenElement ? 1.6 : 1; }
  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = { fontSize: 12 * big() };
    chart.setOption(option);
    charts.push({ chart: chart, option: option });
  }
  function lines(months, series) {
    return {
      color: COLOURS,
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: months, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: series.map(function (s) {
        return { name: s.name, type: "line", data: s.values, connectNulls: false, symbolSize: 6,
                 label: { show: false } };
      })
    };
  }

  var data = readJson("dash-charts");
  if (data) {
    draw("chart-trend", lines(data.trend.months, data.trend.series.concat([data.trend.ratings])));
    draw("chart-ranking", {
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: data.ranking.labels,
               axisLabel: { width: 110, overflow: "truncate" } },
      series: [{ name: data.ranking.name, type: "bar", data: data.ranking.values,
                 itemStyle: { color: "#0d6efd" }, label: { show: true, position: "right" } }]
    });
    draw("chart-pareto", {
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var i = items[0].dataIndex;
          var el = document.createElement("div");
          el.textContent = (i + 1) + ". " + data.pareto.labels[i] + " · " + data.pareto.groups[i];
          return el.innerHTML + "<br>" + items.map(function (it) {
            return it.marker + it.seriesName + ": " + it.value + (it.seriesIndex === 1 ? "%" : "");
          }).join("<br>");
        }
      },
      xAxis: { type: "category", data: data.pareto.counts.map(function (_c, i) { return String(i + 1); }) },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: data.pareto.count_name, type: "bar", data: data.pareto.counts, itemStyle: { color: "#fd7e14" } },
        { name: data.pareto.cumulative_name, type: "line", yAxisIndex: 1, data: data.pareto.cumulative,
          itemStyle: { color: "#0d6efd" } }
      ]
    });
    if (data.waves.names.length) {
      draw("chart-waves", {
        color: ["#adb5bd", "#6ea8fe", "#0d6efd", "#6f42c1", "#20c997", "#198754"],
        legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.waves.names, axisLabel: { width: 90, overflow: "truncate" } },
        series: data.waves.phases.map(function (phase, p) {
          return { name: phase, type: "bar", stack: "units",
                   data: data.waves.counts.map(function (row) { return row[p]; }) };
        })
      });
    }
    draw("chart-ratings", {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
                 label: { formatter: "{b}\n{c} ({d}%)" },
                 data: data.ratings.labels.map(function (label, i) {
                   return { name: label, value: data.ratings.counts[i], itemStyle: { color: LEVEL_COLOURS[i] } };
                 }).filter(function (d) { return d.value > 0; }) }]
    });
  }

  var unit = readJson("unit-chart");
  if (unit) { draw("chart-unit", lines(unit.months, unit.series)); }

  function resize() {
    charts.forEach(function (c) {
      c.chart.setOption({ textStyle: { fontSize: 12 * big() } });
      c.chart.resize();
    });
  }
  window.addEventListener("resize", resize);
  document.addEventListener("fullscreenchange", function () { window.setTimeout(resize, 50); });

  // The "big screen" button: the dashboard alone, full screen, larger type (CSS :fullscreen).
  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    var target = document.querySelector(button.dataset.fullscreen);
    if (!target || !target.requestFullscreen) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { target.requestFullscreen(); }
    });
  });
})();
