// Renders charts from the JSON next to each chart element (data-chart = bar | radar | line).
// Every chart has a table of the same data on the page, so nothing depends on this script.
(function () {
  // Axis ends on round figures: 44.3 -> 44, 0.0123 -> 0.012.
  function step(x) { var m = Math.pow(10, Math.floor(Math.log10(Math.abs(x) || 1)) - 1); return m; }
  function niceFloor(x) { var m = step(x); return Math.floor(x / m) * m; }
  function niceCeil(x) { var m = step(x); return Math.ceil(x / m) * m; }
  function render() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = JSON.parse(document.getElementById(el.id + "-data").textContent);
      var chart = echarts.init(el, null, { renderer: "svg" });
      var option;
      if (el.dataset.chart === "bar") {
        option = {
          aria: { enabled: true }, grid: { left: 110, right: 20, top: 10, bottom: 30 }, tooltip: {},
          xAxis: { type: "value", min: Math.max(0, Math.floor((Math.min.apply(null, data.values) - 5) / 5) * 5) },
          yAxis: { type: "category", inverse: true, data: data.labels },
          series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b4f9c" }, label: { show: true, position: "right" } }]
        };
      } else if (el.dataset.chart === "radar") {
        option = {
          aria: { enabled: true }, tooltip: {},
          radar: { indicator: data.labels.map(function (l, i) { return { name: l, max: data.max[i] }; }) },
          series: [{ type: "radar", data: [{ value: data.values, name: data.name }], areaStyle: { opacity: 0.2 } }]
        };
      } else if (el.dataset.chart === "pie") {
        option = {
          aria: { enabled: true }, tooltip: {},
          series: [{ type: "pie", radius: "65%", data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }), label: { formatter: "{b}: {c}" } }]
        };
      } else {
        // Trends: the y-axis fits the data (not forced down to 0, where a trend looks flat) and
        // names the unit of measure; the target is a labelled line; a legend names each line.
        var lines = data.series ? data.series.map(function (s) { return { type: "line", name: s.name, data: s.values }; })
          : [{ type: "line", data: data.values, name: data.name }];
        if (!data.series && data.target != null) {
          lines[0].markLine = {
            symbol: "none", lineStyle: { type: "dashed", color: "#b45309" },
            label: { formatter: (data.target_name || "") + " " + data.target + (data.unit || ""), position: "insideEndTop" },
            data: [{ yAxis: data.target }]
          };
        }
        option = {
          aria: { enabled: true }, tooltip: { trigger: "axis" }, grid: { left: 60, right: 30, top: 40, bottom: 30 },
          legend: { top: 0, type: "scroll" },
          xAxis: { type: "category", data: data.labels },
          yAxis: {
            type: "value", scale: true, name: data.unit || "", nameTextStyle: { align: "right" },
            // The target stays in view, with a margin below and above the data.
            min: function (v) { var lo = data.target == null ? v.min : Math.min(v.min, data.target); return niceFloor(lo - (v.max - v.min) * 0.1); },
            max: function (v) { var hi = data.target == null ? v.max : Math.max(v.max, data.target); return niceCeil(hi + (v.max - v.min) * 0.1); }
          },
          series: lines
        };
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // The chart library (1 MB) is fetched only by pages that draw a chart; its address (with the
  // file's fingerprint) is on this script's tag.
  function start() {
    if (!document.querySelector("[data-chart]")) return;
    if (window.echarts) { render(); return; }
    var me = document.querySelector("script[data-echarts]");
    if (!me) return;
    var s = document.createElement("script");
    s.src = me.dataset.echarts;
    s.onload = render;
    document.head.appendChild(s);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
