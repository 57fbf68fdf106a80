// O8: the registration curve chart (ECharts). Reads the series from a json_script block;
// runs on page load and after HTMX swaps the tab in.
(function () {
  function draw(root) {
    (root || document).querySelectorAll(".registration-curve").forEach(function (el) {
      if (!window.echarts || el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.curve);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { data: [el.dataset.labelExpected, el.dataset.labelFloor, el.dataset.labelActual] },
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: el.dataset.labelExpected, type: "line", data: data.expected, smooth: true, showSymbol: false },
          { name: el.dataset.labelFloor, type: "line", data: data.floor, smooth: true, showSymbol: false,
            lineStyle: { type: "dashed" } },
          { name: el.dataset.labelActual, type: "line", data: data.actual, connectNulls: false }
        ]
      });
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(); });
  document.addEventListener("htmx:afterSettle", function (e) { draw(e.target); });
  draw();
})();
