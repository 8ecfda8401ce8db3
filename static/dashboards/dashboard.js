// The dashboard's and scorecard's charts (ECharts). Data comes from json_script elements,
// never from inline scripts (CSP). Readable on a phone, on a desk and on the hall's big
// screen: on the big screen (the dashboard full screen, dark) every chart is drawn again
// with light text and larger type. Drawn as SVG, so the text is real text in the page.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  var COLOURS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#adb5bd"];
  var LEVEL_COLOURS = ["#198754", "#75b798", "#ffc107", "#fd7e14", "#dc3545"];
  // Text and lines on the page's light cards and on the big screen's dark ones.
  var LIGHT = { text: "#212529", muted: "#495057", axis: "#adb5bd", grid: "#e9ecef", size: 12 };
  var DARK = { text: "#f8f9fa", muted: "#dbe4f0", axis: "#8ea6c4", grid: "rgba(255,255,255,.16)", size: 15 };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function look() { return document.fullscreenElement ? DARK : LIGHT; }
  function each(value, fn) {
    if (!value) { return; }
    (Array.isArray(value) ? value : [value]).forEach(fn);
  }
  var measurer = document.createElement("canvas").getContext("2d");
  // How many lines a legend of these names takes in `width` pixels (a swatch and a gap each).
  function legendRows(names, width, size) {
    measurer.font = size + "px sans-serif";
    var rows = 1, used = 0;
    names.forEach(function (name) {
      var item = measurer.measureText(String(name)).width + 25 + 10 + 10;
      if (used && used + item > width - 10) { rows += 1; used = 0; }
      used += item;
    });
    return rows;
  }
  // Colours and sizes of every text and line of an option, for the current look. A legend on
  // top shows every name (on as many lines as it needs, the chart below it), never a pager.
  function dress(option, width) {
    var t = look();
    option.animation = false;
    option.backgroundColor = "transparent";
    option.textStyle = { color: t.text, fontSize: t.size };
    each(option.legend, function (legend) {
      legend.textStyle = { color: t.text, fontSize: t.size };
      if (legend.top === 0 && option.grid) {
        var names = (option.series || []).map(function (s) { return s.name; });
        var rows = legendRows(names, width || 300, t.size);
        legend.type = "plain";
        legend.itemGap = 10;
        option.grid.top = rows * (t.size + 10) + 8;
      }
    });
    ["xAxis", "yAxis"].forEach(function (name) {
      each(option[name], function (axis) {
        axis.axisLabel = Object.assign({}, axis.axisLabel, { color: t.muted, fontSize: t.size });
        axis.axisLine = { lineStyle: { color: t.axis } };
        axis.axisTick = { lineStyle: { color: t.axis } };
        axis.splitLine = Object.assign({ show: axis.type === "value" }, axis.splitLine,
                                       { lineStyle: { color: t.grid } });
      });
    });
    each(option.series, function (series) {
      if (series.label) {
        series.label = Object.assign({}, series.label,
                                     { color: t.text, fontSize: t.size, textBorderWidth: 0 });
      }
      if (series.labelLine) { series.labelLine = { lineStyle: { color: t.axis } }; }
    });
    return option;
  }
  function draw(id, build) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(dress(build(el.clientWidth), el.clientWidth));
    charts.push({ chart: chart, build: build, el: el });
  }
  function lines(months, series) {
    return function () {
      return {
        color: COLOURS,
        legend: { top: 0 },
        // Room on the right for the last month's label, centred on the axis's end.
        grid: { left: 8, right: 32, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: months, boundaryGap: false, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: series.map(function (s) {
          return { name: s.name, type: "line", data: s.values, connectNulls: false, symbolSize: 6 };
        })
      };
    };
  }
  function escaped(text) {
    var el = document.createElement("div");
    el.textContent = text;
    return el.innerHTML;
  }

  var data = readJson("dash-charts");
  if (data) {
    draw("chart-trend", lines(data.trend.months, data.trend.series.concat([data.trend.ratings])));
    draw("chart-ranking", function () {
      return {
        grid: { left: 8, right: 44, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", inverse: true, data: data.ranking.labels,
                 axisLabel: { width: 120, overflow: "truncate" } },
        series: [{ name: data.ranking.name, type: "bar", data: data.ranking.values,
                   itemStyle: { color: "#0d6efd" }, label: { show: true, position: "right" } }]
      };
    });
    // The checks by name on the axis (slanted, cut to fit); the full text in the tooltip.
    draw("chart-pareto", function (width) {
      // Level names as long as each fits its slot, else slanted; cut with "…" either way.
      var slot = ((width || 300) - 90) / Math.max(data.pareto.names.length, 1);
      var level = slot >= 90;
      return {
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
          formatter: function (items) {
            var i = items[0].dataIndex;
            return escaped((i + 1) + ". " + data.pareto.labels[i] + " · " + data.pareto.groups[i]) +
              "<br>" + items.map(function (it) {
                return it.marker + escaped(it.seriesName) + ": " + it.value + (it.seriesIndex === 1 ? "%" : "");
              }).join("<br>");
          }
        },
        xAxis: { type: "category", data: data.pareto.names,
                 axisLabel: { interval: 0, rotate: level ? 0 : 35, width: level ? slot - 10 : 120,
                              overflow: "truncate" } },
        yAxis: [{ type: "value", minInterval: 1 },
                { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }],
        series: [
          { name: data.pareto.count_name, type: "bar", data: data.pareto.counts, itemStyle: { color: "#fd7e14" },
            barMaxWidth: 48 },
          { name: data.pareto.cumulative_name, type: "line", yAxisIndex: 1, data: data.pareto.cumulative,
            itemStyle: { color: "#6ea8fe" }, lineStyle: { color: "#6ea8fe" } }
        ]
      };
    });
    if (data.waves.names.length) {
      draw("chart-waves", function () {
        return {
          color: ["#adb5bd", "#6ea8fe", "#0d6efd", "#6f42c1", "#20c997", "#198754"],
          legend: { top: 0 },
          grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
          tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: data.waves.names, axisLabel: { width: 100, overflow: "truncate" } },
          series: data.waves.phases.map(function (phase, p) {
            return { name: phase, type: "bar", stack: "units",
                     data: data.waves.counts.map(function (row) { return row[p]; }) };
          })
        };
      });
    }
    draw("chart-ratings", function () {
      return {
        // Each slice is named by its label (no legend to repeat them); counts in the tooltip.
        tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["40%", "64%"], center: ["50%", "50%"],
                   label: { formatter: "{b}\n{d}%", width: 96, overflow: "break" }, labelLine: {},
                   data: data.ratings.labels.map(function (label, i) {
                     return { name: label, value: data.ratings.counts[i], itemStyle: { color: LEVEL_COLOURS[i] } };
                   }).filter(function (d) { return d.value > 0; }) }]
      };
    });
  }

  var unit = readJson("unit-chart");
  if (unit) { draw("chart-unit", lines(unit.months, unit.series)); }

  var pending = null;
  function resize() {
    window.clearTimeout(pending);
    pending = window.setTimeout(restyle, 120);  // the legends' lines depend on the width
  }
  function restyle() {
    charts.forEach(function (c) {
      c.chart.resize();
      c.chart.setOption(dress(c.build(c.el.clientWidth), c.el.clientWidth), true);
    });
    if (window.onsiteHeatLabels) { window.onsiteHeatLabels(); }
  }
  window.addEventListener("resize", resize);
  document.addEventListener("fullscreenchange", function () { window.setTimeout(restyle, 60); });

  // The "big screen" button: the dashboard alone, full screen, dark (CSS :fullscreen).
  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    var target = document.querySelector(button.dataset.fullscreen);
    if (!target || !target.requestFullscreen) { return; }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { target.requestFullscreen(); }
    });
  });
})();
