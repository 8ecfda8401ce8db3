// The programme's timeline: planned against actual per wave and phase, as a Gantt chart made
// of stacked bars (a transparent offset, then the span). Data from a json_script element.
(function () {
  "use strict";
  var holder = document.getElementById("timeline-chart");
  var source = document.getElementById("timeline-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var origin = new Date(data.origin + "T00:00:00");

  function day(offset) {
    var d = new Date(origin.getTime());
    d.setDate(d.getDate() + offset);
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
  }
  function offsets(spans) { return spans.map(function (s) { return s[0] === null ? "-" : s[0]; }); }
  function lengths(spans) { return spans.map(function (s) { return s[1] === null ? "-" : s[1]; }); }

  var invisible = { color: "transparent" };
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    legend: { top: 0, data: [holder.dataset.planned, holder.dataset.actual] },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter: function (items) {
        var index = items[0].dataIndex;
        var lines = [data.labels[index]];
        [[holder.dataset.planned, data.planned[index]], [holder.dataset.actual, data.actual[index]]]
          .forEach(function (pair) {
            var s = pair[1];
            if (s[0] !== null) { lines.push(pair[0] + ": " + day(s[0]) + " – " + day(s[0] + s[1] - 1)); }
          });
        return lines.join("<br>");
      }
    },
    xAxis: { type: "value", min: 0, axisLabel: { formatter: function (v) { return day(v); }, hideOverlap: true } },
    yAxis: { type: "category", inverse: true, data: data.labels, axisLabel: { width: 150, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "planned", silent: true, itemStyle: invisible, data: offsets(data.planned), barGap: "10%" },
      { name: holder.dataset.planned, type: "bar", stack: "planned", itemStyle: { color: "#9ec5fe" }, data: lengths(data.planned) },
      { type: "bar", stack: "actual", silent: true, itemStyle: invisible, data: offsets(data.actual) },
      { name: holder.dataset.actual, type: "bar", stack: "actual",
        itemStyle: { color: "#0d6efd" },
        data: lengths(data.actual).map(function (v, i) {
          return data.ongoing[i] ? { value: v, itemStyle: { color: "#0d6efd", decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [4, 3], rotation: -0.6 } } } : v;
        }),
        markLine: { symbol: "none", silent: true, label: { formatter: holder.dataset.today },
                    lineStyle: { color: "#dc3545", type: "dashed" }, data: [{ xAxis: data.today }] } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
