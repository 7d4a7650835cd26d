/* Results charts (issue 4). Every chart is a <div class="chart" data-chart="ID"> whose data
 * sits in <script type="application/json" id="ID"> (Django's json_script); `kind` picks the
 * drawing below. Charts follow their box's width (ResizeObserver) so they stay readable on
 * a phone. Numbers are written the Vietnamese way (89,33). */
(function () {
  "use strict";

  var PALETTE = ["#1a7f37", "#2f6fb0", "#d4a72c", "#e36209", "#c62828", "#6f42c1", "#57606a"];
  var GREY = "#d0d7de";

  function vn(x, d) {
    if (x === null || x === undefined) return "—";
    var s = Number(x).toFixed(d === undefined ? 2 : d);
    if (d === undefined) s = s.replace(/\.?0+$/, "");
    return s.replace(".", ",");
  }

  function narrow(el) {
    return el.clientWidth < 520;
  }

  function labelWidth(el) {
    return narrow(el) ? 96 : 220;
  }

  function tallFor(el, n, per, extra) {
    el.style.height = Math.max(220, n * per + extra) + "px";
  }

  function colorsByRating(ratings) {
    var seen = {}, k = 0;
    return ratings.map(function (r) {
      if (!(r in seen)) seen[r] = PALETTE[k++ % PALETTE.length];
      return seen[r];
    });
  }

  var BUILD = {
    ranking: function (el, d) {
      var n = d.values.length;
      tallFor(el, n, 24, 70);
      var classes = (d.classes || []).slice();
      d.ratings.forEach(function (r) { if (classes.indexOf(r) < 0) classes.push(r); });
      var series = classes.map(function (cls, k) {
        return {
          name: cls || "Chưa xếp loại", type: "bar", stack: "r", barMaxWidth: 18,
          itemStyle: { color: cls ? PALETTE[k % PALETTE.length] : GREY },
          data: d.values.map(function (v, i) { return d.ratings[i] === cls ? v : null; }),
          label: { show: true, position: "right", formatter: function (p) { return vn(p.value, 2); } }
        };
      });
      return {
        legend: { top: 0, type: "scroll" },
        grid: { left: labelWidth(el) + 12, right: 56, top: 32, bottom: 24 },
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var i = p.dataIndex;
            return d.names[i] + "<br>Hạng " + d.ranks[i] + " · chỉ số " + vn(d.values[i], 2) +
              (d.ratings[i] ? "<br>" + d.ratings[i] : "");
          }
        },
        xAxis: { type: "value", max: 100, axisLabel: { formatter: function (v) { return vn(v); } } },
        yAxis: {
          type: "category", inverse: true, data: d.labels,
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 }
        },
        series: series
      };
    },

    histogram: function (el, d) {
      return {
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: function (p) {
          return "Chỉ số " + p[0].name + ": " + p[0].value + " đơn vị"; } },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: narrow(el) ? 45 : 0 } },
        yAxis: { type: "value", minInterval: 1, name: "Số đơn vị", nameTextStyle: { align: "left" } },
        series: [{ type: "bar", data: d.values, itemStyle: { color: "#2f6fb0" },
          label: { show: true, position: "top", formatter: function (p) { return p.value || ""; } } }]
      };
    },

    classes: function (el, d) {
      return {
        color: PALETTE,
        tooltip: { trigger: "item", formatter: function (p) {
          return p.name + ": " + p.value + " đơn vị (" + vn(p.percent, 1) + "%)"; } },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
          label: { show: !narrow(el), formatter: function (p) { return p.name + "\n" + p.value; } },
          data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; })
        }]
      };
    },

    heat: function (el, d) {
      tallFor(el, d.units.length, 20, 110);
      return {
        grid: { left: labelWidth(el) + 12, right: 8, top: 30, bottom: 60 },
        tooltip: { formatter: function (p) {
          return d.units[p.value[1]] + "<br>" + d.areas[p.value[0]] + ": " + vn(p.value[2], 1); } },
        xAxis: { type: "category", data: d.areas, position: "top", splitArea: { show: true },
          axisLabel: { interval: 0 } },
        yAxis: { type: "category", data: d.units, inverse: true, splitArea: { show: true },
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 } },
        visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center",
          bottom: 0, itemHeight: narrow(el) ? 120 : 200,
          inRange: { color: ["#c62828", "#f5d76e", "#1a7f37"] },
          formatter: function (v) { return vn(v, 0); } },
        series: [{ type: "heatmap", data: d.cells,
          label: { show: !narrow(el) || d.areas.length <= 6, fontSize: 10,
            formatter: function (p) { return vn(p.value[2], 0); } } }]
      };
    },

    // Survey indices (issue 10): bars with their 95 % interval as whiskers.
    intervals: function (el, d) {
      tallFor(el, d.labels.length, 24, 40);
      var whiskers = d.low.map(function (lo, i) { return [i, lo, d.high[i]]; })
        .filter(function (w) { return w[1] !== null && w[2] !== null; });
      return {
        grid: { left: labelWidth(el) + 12, right: 56, top: 8, bottom: 24 },
        tooltip: { formatter: function (p) {
          var i = p.dataIndex;
          return d.names[i] + "<br>" + vn(d.values[i], 2) + " (" + vn(d.low[i], 2) + "–" +
            vn(d.high[i], 2) + ")"; } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: function (v) { return vn(v); } } },
        yAxis: { type: "category", inverse: true, data: d.labels,
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 } },
        series: [
          { type: "bar", barMaxWidth: 16, data: d.values, itemStyle: { color: "#2f6fb0" },
            label: { show: true, position: "right", distance: 24,
              formatter: function (p) { return vn(p.value, 1); } } },
          { type: "custom", data: whiskers, z: 10, tooltip: { show: false },
            renderItem: function (params, api) {
              var y = api.value(0), lo = api.coord([api.value(1), y]), hi = api.coord([api.value(2), y]);
              var h = api.size([0, 1])[1] * 0.3;
              var style = { stroke: "#24292f", lineWidth: 1.5 };
              return { type: "group", children: [
                { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
                { type: "line", shape: { x1: lo[0], y1: lo[1] - h, x2: lo[0], y2: lo[1] + h }, style: style },
                { type: "line", shape: { x1: hi[0], y1: hi[1] - h, x2: hi[0], y2: hi[1] + h }, style: style }
              ] };
            } }
        ]
      };
    },

    // Rank bands (issue 12): the P05–P95 rank of each unit as a bar (an invisible bar
    // stacked below it), P50 and the computed rank as marks; rank 1 at the left.
    bands: function (el, d) {
      tallFor(el, d.labels.length, 22, 40);
      var marks = function (values, symbol, color) {
        return { type: "line", data: values, symbol: symbol, symbolSize: 9, lineStyle: { opacity: 0 },
          itemStyle: { color: color }, tooltip: { show: false } };
      };
      return {
        grid: { left: labelWidth(el) + 12, right: 24, top: 8, bottom: 24 },
        tooltip: { formatter: function (p) {
          var i = p.dataIndex;
          return d.labels[i] + "<br>Hạng " + d.ranks[i] + "; P05–P95: " + d.low[i] + "–" +
            d.high[i] + "; P50: " + d.mid[i]; } },
        xAxis: { type: "value", min: 0.5, max: Math.max.apply(null, d.high.concat([1])) + 0.5,
          minInterval: 1, axisLabel: { formatter: function (v) { return Math.round(v); } } },
        yAxis: { type: "category", inverse: true, data: d.labels,
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 } },
        series: [
          { type: "bar", stack: "band", barMaxWidth: 14, silent: true, tooltip: { show: false },
            data: d.low.map(function (lo) { return lo - 0.5; }), itemStyle: { color: "transparent" } },
          { type: "bar", stack: "band", barMaxWidth: 14, itemStyle: { color: "#9cc3e6" },
            data: d.low.map(function (lo, i) { return d.high[i] - lo + 1; }) },
          marks(d.mid, "diamond", "#24292f"),
          marks(d.ranks, "circle", "#c62828")
        ]
      };
    },

    changes: function (el, d) {
      var order = d.values.map(function (v, i) { return i; })
        .sort(function (a, b) { return d.values[b] - d.values[a]; });
      tallFor(el, order.length, 20, 40);
      return {
        grid: { left: labelWidth(el) + 12, right: 48, top: 8, bottom: 24 },
        tooltip: { formatter: function (p) { return p.name + ": " + (p.value > 0 ? "+" : "") + vn(p.value, 2); } },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return vn(v); } } },
        yAxis: { type: "category", inverse: true, data: order.map(function (i) { return d.labels[i]; }),
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 } },
        series: [{ type: "bar", barMaxWidth: 16,
          data: order.map(function (i) {
            var v = d.values[i];
            return { value: v, itemStyle: { color: v >= 0 ? "#1a7f37" : "#c62828" } };
          }) }]
      };
    },

    radar: function (el, d) {
      return {
        color: ["#2f6fb0", "#8c959f", "#1a7f37"],
        // A text formatter: ECharts' default tooltip markup carries style attributes,
        // which the Content-Security-Policy refuses.
        tooltip: { trigger: "item", formatter: function (p) {
          return p.name + "<br>" + d.codes.map(function (c, i) {
            return c + ": " + vn(p.value[i], 1); }).join("<br>"); } },
        legend: { bottom: 0, data: d.series.map(function (s) { return s.name; }) },
        radar: {
          radius: narrow(el) ? "55%" : "65%", center: ["50%", "48%"],
          indicator: d.indicators.map(function (n, i) {
            var name = narrow(el) ? d.codes[i] : (n.length > 26 ? n.slice(0, 25) + "…" : n);
            return { name: name, max: 100 };
          }),
          axisName: { color: "#24292f", fontSize: narrow(el) ? 10 : 12, width: narrow(el) ? 80 : 160,
            overflow: "break" }
        },
        series: [{ type: "radar",
          data: d.series.map(function (s, k) {
            return { name: s.name, value: s.values, areaStyle: k === 0 ? { opacity: 0.2 } : undefined,
              lineStyle: k === 1 ? { type: "dashed" } : undefined };
          }) }]
      };
    },

    lost: function (el, d) {
      tallFor(el, d.values.length, 24, 40);
      return {
        grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
        tooltip: { formatter: function (p) { return p.name + " " + d.names[p.dataIndex] + "<br>Mất " + vn(p.value) + " điểm"; } },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return vn(v); } } },
        yAxis: { type: "category", data: d.labels, axisLabel: { interval: 0 } },
        series: [{ type: "bar", barMaxWidth: 18, itemStyle: { color: "#e36209" }, data: d.values,
          label: { show: true, position: "right", formatter: function (p) { return vn(p.value); } } }]
      };
    },

    trend: function (el, d) {
      return {
        grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", formatter: function (p) {
          var i = p[0].dataIndex;
          return d.labels[i] + " · " + d.units[i] + "<br>Chỉ số " + vn(d.values[i], 2) +
            (d.ranks[i] ? " · hạng " + d.ranks[i] : ""); } },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: function (v) { return vn(v); } } },
        series: [{ type: "line", data: d.values, symbolSize: 8, itemStyle: { color: "#2f6fb0" },
          label: { show: true, formatter: function (p) { return vn(p.value, 2); } } }]
      };
    },

    criterion: function (el, d) {
      tallFor(el, d.values.length, 22, 60);
      var lost = d.values.map(function (v, i) {
        return d.max[i] === null || v === null ? 0 : Math.round((d.max[i] - v) * 1000) / 1000;
      });
      return {
        grid: { left: labelWidth(el) + 12, right: 16, top: 8, bottom: 40 },
        legend: { bottom: 0, data: ["Điểm đạt", "Điểm bị trừ"] },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (p) {
          var i = p[0].dataIndex;
          return d.names[i] + "<br>Đạt " + vn(d.values[i]) + " / " + vn(d.max[i]) + " điểm"; } },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return vn(v); } } },
        yAxis: { type: "category", data: d.labels, inverse: true,
          axisLabel: { width: labelWidth(el), overflow: "truncate", interval: 0 } },
        series: [
          { name: "Điểm đạt", type: "bar", stack: "p", barMaxWidth: 16, data: d.values,
            itemStyle: { color: "#2f6fb0" } },
          { name: "Điểm bị trừ", type: "bar", stack: "p", barMaxWidth: 16, data: lost,
            itemStyle: { color: GREY } }
        ]
      };
    }
  };

  function draw(el) {
    if (!window.echarts || el.dataset.drawn) return;
    var src = document.getElementById(el.dataset.chart);
    if (!src) return;
    var data = JSON.parse(src.textContent);
    var build = BUILD[data.kind];
    if (!build) return;
    el.dataset.drawn = "1";
    var option = build(el, data);
    option.animation = false;
    option.textStyle = { fontFamily: "inherit" };
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    var width = el.clientWidth;
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (el.clientWidth === width) return;
        width = el.clientWidth;
        chart.setOption(build(el, data), { notMerge: false });
        chart.resize();
      }).observe(el);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll(".chart[data-chart]").forEach(draw);
  }

  // ECharts loads async (it must not hold the page up): draw when both have arrived.
  function start() {
    if (window.echarts) { drawAll(document); return; }
    var lib = document.getElementById("echarts-js");
    if (lib) lib.addEventListener("load", function () { drawAll(document); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
