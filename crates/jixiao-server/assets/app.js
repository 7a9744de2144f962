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
      if (el.dataset.chart === "map") {
        drawMap(el, chart, data);
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
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
  // Maps: the boundaries come from the server as GeoJSON (no tile server). A choropleth colours
  // each unit by the measure chosen in the select next to it (data-map names the chart); a case's
  // map shows its street and marks its point.
  function drawMap(el, chart, data) {
    fetch(data.geo_url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (geo) {
      echarts.registerMap(data.map, geo);
      // Illustrative streets are unions of grid cells: their inner lines would draw a mosaic,
      // so street maps draw no borders and outline a street when it is pointed at.
      var streets = data.point || data.map !== "city";
      var border = streets ? { borderWidth: 0 } : { borderColor: "#fff", borderWidth: 1 };
      if (data.point) {
        chart.setOption({
          aria: { enabled: true }, tooltip: {},
          geo: {
            map: data.map, roam: true, center: data.point, zoom: 2.5,
            layoutCenter: ["50%", "50%"], layoutSize: "95%",
            itemStyle: Object.assign({ areaColor: "#eef2f7" }, border),
            regions: data.highlight ? [{ name: data.highlight, itemStyle: { areaColor: "#cfe0f5" } }] : []
          },
          series: [{ type: "scatter", coordinateSystem: "geo", symbolSize: 14, itemStyle: { color: "#b3261e" },
            data: [{ name: data.label || "", value: data.point }] }]
        });
        el.dataset.drawn = "1";
        return;
      }
      var select = document.querySelector('select[data-map="' + el.id + '"]');
      function show(id) {
        var m = data.measures.filter(function (x) { return x.id === id; })[0] || data.measures[0];
        var points = data.units.map(function (u) { return { name: u.name, value: u.values[m.id] }; })
          .filter(function (p) { return p.value !== null && p.value !== undefined; });
        var values = points.map(function (p) { return p.value; });
        var lo = values.length ? Math.min.apply(null, values) : 0;
        var hi = values.length ? Math.max.apply(null, values) : 1;
        var colors = ["#e8f0fa", "#0b4f9c"];
        if (m.diverging) { var a = Math.max(Math.abs(lo), Math.abs(hi)) || 1; lo = -a; hi = a; colors = ["#b3261e", "#f7f7f7", "#1e7b34"]; }
        else if (m.lower_is_better) colors = ["#e8f0fa", "#b3261e"];
        chart.setOption({
          aria: { enabled: true },
          tooltip: { trigger: "item", formatter: function (p) { return p.name + ": " + (p.value === undefined || isNaN(p.value) ? "—" : p.value + (m.percent ? "%" : "")); } },
          visualMap: { min: lo, max: hi === lo ? lo + 1 : hi, calculable: true, left: 0, bottom: 0, text: [m.name, ""], inRange: { color: colors } },
          series: [{ type: "map", map: data.map, roam: true, data: points, name: m.name,
            layoutCenter: ["50%", "50%"], layoutSize: "95%",
            label: { show: !streets, fontSize: 10 },
            itemStyle: border, emphasis: { label: { show: true }, itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
        }, true);
        el.dataset.drawn = m.id;
      }
      if (select && !select.options.length) {
        data.measures.forEach(function (m) { var o = document.createElement("option"); o.value = m.id; o.textContent = m.name; select.appendChild(o); });
        select.addEventListener("change", function () { show(select.value); });
      }
      show(select ? select.value : data.measures[0].id);
    }).catch(function () { el.dataset.drawn = "failed"; });
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

// A rating round's page while it is open (开门考评 on a screen): the aggregates and completion
// are fetched again every five seconds from the round's API address (data-live), so the office
// sees scores come in without reloading. Without this script the page reloads itself instead.
(function () {
  function fmt(x) { return x === null || x === undefined ? "—" : x.toFixed(2); }
  function refresh(table) {
    fetch(table.dataset.live, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (round) {
        round.units.forEach(function (u) {
          var row = document.getElementById("round-unit-" + u.unit_id);
          if (!row) return;
          var cells = row.querySelectorAll("td");
          cells[0].textContent = String(u.ballots);
          cells[1].textContent = fmt(u.score);
          u.group_means.forEach(function (m, i) { if (cells[2 + i]) cells[2 + i].textContent = fmt(m); });
        });
        var done = document.querySelector("#round-completion strong");
        if (done) done.textContent = round.raters_done + " / " + round.raters;
        round.groups.forEach(function (g) {
          var card = document.querySelector("#round-group-" + CSS.escape(g.id) + " strong");
          if (card) card.textContent = g.raters_done + " / " + g.raters;
        });
        table.dataset.refreshed = String(Date.now());
      })
      .catch(function () { table.dataset.refreshed = "failed"; });
  }
  function start() {
    var table = document.querySelector("table[data-live]");
    if (!table) return;
    setInterval(function () { refresh(table); }, 5000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();

// 任务书编辑: a form with data-check (the node form, the TOML source) is checked as it is typed.
// After a pause its contents go to the check API (with the node form applied to the source in
// the editor) and the problems it finds, or that it passes, show under the form. Saving is
// still the form's own submit; without this script the page checks on save.
(function () {
  function values(form) {
    var f = {};
    new FormData(form).forEach(function (v, k) { f[k] = String(v); });
    return f;
  }
  function number(t) {
    t = (t || "").trim();
    if (!t) return null;
    var x = Number(t);
    return isFinite(x) ? x : NaN;
  }
  function show(out, problems, ok) {
    out.textContent = "";
    if (ok) {
      var p = document.createElement("p");
      p.className = "ok";
      p.textContent = "✓ " + out.dataset.ok;
      out.appendChild(p);
      return;
    }
    var ul = document.createElement("ul");
    problems.forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m;
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }
  function check(form, out) {
    var f = values(form);
    var body;
    if (form.id === "source") {
      body = { source: f.source };
    } else {
      var bad = [];
      var num = {};
      ["points", "target", "challenge", "floor"].forEach(function (k) {
        num[k] = number(f[k]);
        if (Number.isNaN(num[k])) bad.push(k + ": “" + f[k] + "” ≠ number");
      });
      if (bad.length) { show(out, bad, false); return; }
      var source = document.getElementById("draft-source");
      body = {
        source: source ? source.value : "",
        original: f.original || null,
        node: {
          id: f.id || "", parent: f.parent || null, name: f.name || "", points: num.points === null ? 0 : num.points,
          description: f.description || null, method: f.method || null, params: f.params || null,
          measure: f.measure || null, direction: f.direction || null,
          target: num.target, challenge: num.challenge, floor: num.floor,
          evaluators: (f.evaluators || "").split(/[,，、\s]+/).filter(function (e) { return e; })
        }
      };
    }
    fetch(form.dataset.check, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": f.csrf || "" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, j: j }; });
    }).then(function (a) {
      if (!a.ok) { show(out, [a.j.message || String(a.j)], false); return; }
      var problems = a.j.problems.map(function (p) {
        return (p.line ? out.dataset.line.replace("{line}", p.line) + ": " : "") + p.message;
      });
      show(out, problems, problems.length === 0);
      form.dataset.checked = String(Date.now());
    }).catch(function () { out.textContent = ""; });
  }
  function start() {
    document.querySelectorAll("form[data-check]").forEach(function (form) {
      var out = form.querySelector(".check-out");
      if (!out) return;
      var timer = null;
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { check(form, out); }, 400);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
