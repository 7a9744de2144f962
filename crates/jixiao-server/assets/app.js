// Renders charts from the JSON next to each chart element (data-chart = bar | radar | line).
// Every chart has a table of the same data on the page, so nothing depends on this script.
(function () {
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
        option = {
          aria: { enabled: true }, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 30 },
          xAxis: { type: "category", data: data.labels }, yAxis: { type: "value" },
          legend: data.series ? {} : undefined,
          series: data.series ? data.series.map(function (s) { return { type: "line", name: s.name, data: s.values }; })
            : [{ type: "line", data: data.values, name: data.name }].concat(data.target == null ? [] : [{ type: "line", name: data.target_name, data: data.labels.map(function () { return data.target; }), lineStyle: { type: "dashed" } }])
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
