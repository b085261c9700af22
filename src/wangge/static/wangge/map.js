// The grid map in #map, from the JSON in #map-data (web.selectors.grid_map): grids labelled
// by name and coloured by the figure the switch picks (residents, open or overdue events),
// building points, open events as pins. A tap opens a popup (name, figures, a link), never a
// jump, so the map works on a phone.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!element || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var tiles = data.tiles;
  // Light to dark; the lightest is for none.
  var PALETTES = {
    population: ["#fdf0e3", "#f9c9a2", "#ef8f5b", "#d5502f", "#9e2417"],
    open: ["#eef2f8", "#bcd0ea", "#7ea6d8", "#3d72b8", "#1c4585"],
    overdue: ["#f6eeee", "#f2b8b5", "#e3706a", "#c0392b", "#7f1d1d"]
  };
  var PLAIN = "#f4efe6";
  // One grid alone (its own page) has nothing to compare with: a plain fill, figures in its popup.
  var figure = data.figures.length && data.grids.features.length > 1 ? data.figures[0].key : null;

  function most(key) {
    return Math.max.apply(null, data.grids.features.map(function (feature) {
      return feature.properties[key] || 0;
    }).concat([1]));
  }

  function colour(key, value) {
    var palette = PALETTES[key];
    if (!value) return palette[0];
    return palette[Math.max(1, Math.ceil(value / most(key) * (palette.length - 1)))];
  }

  function style(feature) {
    return {
      color: "#5b2a1a", weight: 1, fillOpacity: tiles ? 0.55 : 0.8, className: "grid-shape",
      fillColor: figure ? colour(figure, feature.properties[figure]) : PLAIN
    };
  }

  function gridPopup(properties) {
    var popup = WanggeMap.filled("map-grid-popup", properties);
    popup.querySelectorAll("[data-figure]").forEach(function (row) {
      row.querySelector("dd").textContent = properties[row.dataset.figure];
    });
    return popup;
  }

  // The zoom buttons at the bottom, out of the way of the popups that open above a tap.
  var map = WanggeMap.create(element, tiles, { zoomControl: false });
  L.control.zoom({ position: "bottomright" }).addTo(map);
  var grids = L.geoJSON(WanggeMap.geoJSON(data.grids, tiles), {
    style: style,
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name, {
        permanent: true, direction: "center", className: "grid-label", interactive: false
      });
      layer.bindPopup(function () { return gridPopup(feature.properties); });
    }
  }).addTo(map);

  L.geoJSON(WanggeMap.geoJSON(data.buildings, tiles), {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#1d2330", weight: 2, fillColor: "#fff",
                                      fillOpacity: 1, className: "building-point" });
    },
    onEachFeature: function (feature, layer) {
      layer.bindPopup(function () {
        return WanggeMap.filled("map-building-popup", feature.properties);
      });
    }
  }).addTo(map);

  // Pins are bounded on the server (WANGGE_MAP_EVENT_PINS), so SVG markers stay cheap.
  var pins = L.geoJSON(WanggeMap.geoJSON(data.events, tiles), {
    pointToLayer: function (feature, latlng) {
      var overdue = feature.properties.overdue;
      return L.circleMarker(latlng, {
        radius: 8, color: "#fff", weight: 2, fillOpacity: 1, // a finger's width with its rim
        fillColor: overdue ? "#b3261e" : "#1f5fa8",
        className: "event-pin" + (overdue ? " overdue" : "")
      });
    },
    onEachFeature: function (feature, layer) {
      layer.bindPopup(function () {
        return WanggeMap.filled("map-event-popup", feature.properties);
      });
    }
  }).addTo(map);

  // A grid's name shows where it fits inside its shape, so a district's hundreds of grids do
  // not bury each other under labels; zooming in shows more of them.
  function placeLabels() {
    grids.eachLayer(function (layer) {
      var bounds = layer.getBounds();
      var width = map.latLngToContainerPoint(bounds.getNorthEast()).x -
                  map.latLngToContainerPoint(bounds.getSouthWest()).x;
      if (width > layer.feature.properties.name.length * 13 + 12) layer.openTooltip();
      else layer.closeTooltip();
    });
  }

  // Many pins in view (a district) are drawn as dots, a density the grid colours explain;
  // zoomed in to a few, each is a finger wide to tap.
  function sizePins() {
    var bounds = map.getBounds();
    var inView = 0;
    pins.eachLayer(function (pin) { if (bounds.contains(pin.getLatLng())) inView += 1; });
    var radius = inView > 300 ? 3 : inView > 80 ? 5 : 8;
    pins.eachLayer(function (pin) {
      pin.setRadius(radius);
      pin.setStyle({ weight: radius > 3 ? 2 : 0.5 });
    });
  }

  var legend = document.getElementById("map-legend");
  function showLegend() {
    if (!legend || !figure) return;
    var swatches = legend.querySelectorAll(".swatch");
    swatches[0].style.background = PALETTES[figure][0];
    swatches[1].style.background = PALETTES[figure][PALETTES[figure].length - 1];
    legend.querySelector("[data-legend=most]").textContent = most(figure);
    legend.querySelector("[data-legend=label]").textContent = data.figures.filter(function (f) {
      return f.key === figure;
    })[0].label;
  }

  var choice = document.getElementById("map-switch");
  if (choice) {
    choice.addEventListener("change", function (event) {
      figure = event.target.value;
      grids.setStyle(style);
      showLegend();
    });
  }

  map.on("zoomend", placeLabels);
  map.on("moveend", sizePins);
  map.fitBounds(grids.getBounds(), { padding: [12, 12] });
  placeLabels();
  sizePins();
  showLegend();
})();
