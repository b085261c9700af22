// Draws the cockpit's charts (ECharts, from npm) from the JSON in #cockpit-data (see
// cockpit.views._chart_data). Every point carries the page a click opens: the event list
// behind a number, or the cockpit of the unit one level down. Tooltips are drawn on the
// canvas (richText): ECharts' HTML tooltips carry style attributes the Content Security
// Policy refuses.
(function () {
  "use strict";
  var source = document.getElementById("cockpit-data");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var words = data.words;
  var colours = { reported: "#0b57d0", closed: "#1e7b34", overdue: "#b3261e",
                  overdue_now: "#b3261e", closure_rate: "#1e7b34", on_time_rate: "#e08a00",
                  coverage: "#0b57d0", care: "#7a4bb3", visited_on_time: "#1e7b34" };
  var font = window.getComputedStyle(document.body).fontFamily;
  var charts = [];

  function draw(name, option, rows) {
    var element = document.querySelector('[data-chart="' + name + '"]');
    if (!element) return;
    if (rows) {  // a bar per row: room for each name, however many units there are
      element.style.height = Math.max(element.clientHeight, rows * 30 + 60) + "px";
    }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: font, fontSize: 13 };
    option.tooltip = Object.assign({ renderMode: "richText", confine: true }, option.tooltip);
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (event) {
      if (event.data && event.data.url) window.location.href = event.data.url;
    });
    charts.push(chart);
  }

  function series(names, source, type, extra) {
    return names.map(function (name) {
      return Object.assign({ name: words[name], type: type, data: source[name],
                             itemStyle: { color: colours[name] }, cursor: "pointer",
                             barMaxWidth: 28 }, extra);
    });
  }

  var legend = { top: 0, type: "scroll" };
  var grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };

  var steps = data.series;
  draw("series", {
    legend: legend, grid: grid, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: steps.labels },
    yAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
    series: series(["reported", "closed"], steps, "bar").concat(
      series(["overdue"], steps, "line", { symbolSize: 7 }))
  });

  function across(labels, names, source, extra) {
    return Object.assign({
      legend: legend, grid: grid, tooltip: { trigger: "axis" },
      yAxis: { type: "category", data: labels, inverse: true,
               axisLabel: { width: 140, overflow: "truncate" } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
      series: series(names, source, "bar")
    }, extra);
  }

  var areas = data.areas;
  draw("overdue", across(areas.labels, ["overdue_now"], areas), areas.labels.length);
  var rates = across(areas.labels, ["closure_rate", "on_time_rate"], areas);
  rates.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
  draw("rates", rates, areas.labels.length * 2);

  var categories = data.categories;
  draw("categories", across(categories.labels, ["reported", "closed", "overdue"], categories),
       categories.labels.length * 2);

  draw("channels", {
    legend: { bottom: 0 },
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], cursor: "pointer",
               data: data.channels, label: { formatter: "{b}\n{c}" }, minShowLabelAngle: 6 }]
  });

  if (data.patrols) {
    var patrols = across(data.patrols.labels, ["coverage"], data.patrols);
    patrols.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
    draw("patrols", patrols, data.patrols.labels.length);
  }

  if (data.care_visits) {
    var visits = across(data.care_visits.labels, ["visited_on_time"], data.care_visits);
    visits.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}%" } };
    draw("care_visits", visits, data.care_visits.labels.length);
  }

  if (data.registry) {
    draw("residence", {
      legend: { bottom: 0, type: "scroll" },
      tooltip: { trigger: "item" },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "42%"],
                 data: data.registry.residence, label: { formatter: "{b}\n{c}" },
                 minShowLabelAngle: 6 }]
    });
    if (data.registry.care) {
      var care = { care: data.registry.care.values.map(function (value) {
        return { value: value };
      }) };
      words.care = words.vulnerable;
      draw("care", across(data.registry.care.labels, ["care"], care, { legend: { show: false } }),
           data.registry.care.labels.length);
    }
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
