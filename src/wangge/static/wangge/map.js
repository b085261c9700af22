// Draws the grids in #map from the JSON in #map-data (see web.selectors.grid_map): polygons
// coloured by population, building points, and a tile layer only when one is configured, so
// the map works on an intranet with no tile server.
(function () {
  "use strict";
  var element = document.getElementById("map");
  var source = document.getElementById("map-data");
  if (!element || !source || !window.L) return;
  var data = JSON.parse(source.textContent);
  var palette = ["#fde0c5", "#f9b48a", "#ef8355", "#d5502f", "#b3261e"];
  var most = Math.max.apply(null, data.grids.features.map(function (f) {
    return f.properties.population;
  }).concat([1]));

  function colour(population) {
    return palette[Math.min(palette.length - 1, Math.floor(population / most * (palette.length - 1)))];
  }

  var map = L.map(element, { attributionControl: Boolean(data.tile_url) });
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  var grids = L.geoJSON(data.grids, {
    style: function (feature) {
      return { color: "#5b2a1a", weight: 1.5, fillOpacity: 0.75,
               fillColor: colour(feature.properties.population) };
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name + " · " + feature.properties.population);
      layer.on("click", function () { window.location.href = feature.properties.url; });
    }
  }).addTo(map);
  L.geoJSON(data.buildings, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#1d2330", weight: 2,
                                      fillColor: "#fff", fillOpacity: 1 });
    },
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(feature.properties.name);
      layer.on("click", function () { window.location.href = feature.properties.url; });
    }
  }).addTo(map);
  map.fitBounds(grids.getBounds(), { padding: [12, 12] });
})();
