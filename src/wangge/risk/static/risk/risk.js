// The risk map and its charts (risk.map_views): grids and buildings coloured by grade from the
// JSON in #risk-map-data (Leaflet, through maps.js), the 14-day trend per kind and the
// buildings at risk per area one level down from #risk-chart-data (ECharts, from npm). A tap
// on the map opens a popup (name, grade, why, a link), never a jump; a click on an area's bar
// opens that area's own page. Tooltips are drawn on the canvas (richText): ECharts' HTML
// tooltips carry style attributes the Content Security Policy refuses.
(function () {
  "use strict";

  // A grid's popup opens its own risk page, a building's the building.
  function popup(properties, kind) {
    var values = Object.assign({}, properties);
    values[kind + "_url"] = properties.url;
    delete values.url;
    var element = WanggeMap.filled("risk-popup", values);
    element.querySelector(".grade").classList.add("grade-" + properties.level);
    var list = element.querySelector(".reasons");
    (properties.reasons || []).forEach(function (reason) {
      var item = document.createElement("li");
      item.textContent = reason; // people's input: text, never HTML
      list.appendChild(item);
    });
    if (!list.children.length) list.remove();
    return element;
  }

  function drawMap() {
    var element = document.getElementById("risk-map");
    var source = document.getElementById("risk-map-data");
    if (!element || !source || !window.L || !window.WanggeMap) return;
    var data = JSON.parse(source.textContent);
    var tiles = data.tiles;
    var colours = data.colours;
    var map = WanggeMap.create(element, tiles, { zoomControl: false });
    L.control.zoom({ position: "bottomright" }).addTo(map);
    var grids = L.geoJSON(WanggeMap.geoJSON(data.grids, tiles), {
      style: function (feature) {
        var level = feature.properties.level;
        return { color: "#5b2a1a", weight: 1, className: "grid-shape risk-grid level-" + level,
                 fillColor: level ? colours[level] : "#f4efe6",
                 fillOpacity: level ? (tiles ? 0.35 : 0.45) : (tiles ? 0.15 : 0.8) };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, {
          permanent: true, direction: "center", className: "grid-label", interactive: false
        });
        layer.bindPopup(function () { return popup(feature.properties, "grid"); });
      }
    }).addTo(map);
    // Buildings above the grids' names (the tooltip pane), below the popups.
    map.createPane("buildings").style.zIndex = 655;
    var buildings = L.geoJSON(WanggeMap.geoJSON(data.buildings, tiles), {
      pointToLayer: function (feature, latlng) {
        var level = feature.properties.level;
        return L.circleMarker(latlng, {
          pane: "buildings", radius: level ? 9 : 6, color: "#fff", weight: 2, fillOpacity: 1,
          fillColor: colours[level], className: "risk-building level-" + level
        });
      },
      onEachFeature: function (feature, layer) {
        layer.bindPopup(function () { return popup(feature.properties, "building"); });
      }
    }).addTo(map);

    function placeLabels() {
      grids.eachLayer(function (layer) {
        var bounds = layer.getBounds();
        var width = map.latLngToContainerPoint(bounds.getNorthEast()).x -
                    map.latLngToContainerPoint(bounds.getSouthWest()).x;
        if (width > layer.feature.properties.name.length * 13 + 12) layer.openTooltip();
        else layer.closeTooltip();
      });
    }

    var bounds = grids.getBounds();
    if (!bounds.isValid()) bounds = buildings.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
    else map.setView([30.6, 114.3], 12);
    map.on("zoomend", placeLabels);
    placeLabels();
  }

  function drawCharts() {
    var source = document.getElementById("risk-chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var words = data.words;
    var colours = data.colours;
    var font = window.getComputedStyle(document.body).fontFamily;
    var charts = [];

    function draw(element, option) {
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

    var legend = { top: 0 };
    var grid = { left: 8, right: 16, top: 32, bottom: 8, containLabel: true };
    data.trend.kinds.forEach(function (kind) {
      var element = document.querySelector('[data-chart="trend-' + kind.kind + '"]');
      if (!element) return;
      draw(element, {
        legend: legend, grid: grid, tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.trend.labels, boundaryGap: false },
        yAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
        series: ["high", "medium"].map(function (level) {
          return { name: words[level], type: "line", data: kind[level], symbolSize: 5,
                   itemStyle: { color: colours[level] }, lineStyle: { width: 2 } };
        })
      });
    });

    var areas = document.querySelector('[data-chart="areas"]');
    if (areas && data.areas.labels.length) {
      areas.style.height = Math.max(areas.clientHeight, data.areas.labels.length * 30 + 60) + "px";
      draw(areas, {
        legend: legend, grid: grid, tooltip: { trigger: "axis" },
        yAxis: { type: "category", data: data.areas.labels, inverse: true,
                 axisLabel: { width: 140, overflow: "truncate" } },
        xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
        series: ["high", "medium"].map(function (level) {
          return { name: words[level], type: "bar", stack: "buildings", data: data.areas[level],
                   itemStyle: { color: colours[level] }, cursor: "pointer", barMaxWidth: 28 };
        })
      });
    }

    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  drawMap();
  drawCharts();
})();
