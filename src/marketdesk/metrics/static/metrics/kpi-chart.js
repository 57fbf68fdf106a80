// A KPI run as a chart (ECharts): a line over periods or bars per dimension value. Reads
// {type, x, series} from the json_script block named by data-chart.
(function () {
  function draw() {
    document.querySelectorAll(".kpi-chart").forEach(function (el) {
      if (!window.echarts || el.dataset.drawn) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0, data: data.series.map(function (s) { return s.name; }) },
        grid: { top: 40, left: 60, right: 20, bottom: data.type === "bar" ? 80 : 40, containLabel: true },
        xAxis: { type: "category", data: data.x, axisLabel: { rotate: data.type === "bar" ? 30 : 0 } },
        yAxis: { type: "value" },
        series: data.series.map(function (s) {
          return { name: s.name, type: data.type, data: s.data, connectNulls: false };
        })
      });
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
