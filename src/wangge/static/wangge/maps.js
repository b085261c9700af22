// What every map shares (the grid map in map.js, the small location maps in location_map.js):
// the basemap, only when one is configured (divisions.maps.tile_layer), and the shift of our
// WGS-84 data onto a Chinese basemap drawn in GCJ-02. The shift is gcoord's (npm), not a
// formula of our own; without it a marker sits a few hundred metres off its street.
(function () {
  "use strict";

  function shifted(tiles) {
    return Boolean(tiles && tiles.gcj02);
  }

  window.WanggeMap = {
    // A Leaflet map in ``element`` with the basemap of ``tiles`` (or none: a plain background).
    create: function (element, tiles, options) {
      // Without tiles nothing blurs, so the view may fit its grids in quarter zoom steps.
      var map = L.map(element, Object.assign({ attributionControl: Boolean(tiles),
                                               zoomSnap: tiles ? 1 : 0.25 }, options));
      if (tiles) {
        L.tileLayer(tiles.url, {
          subdomains: tiles.subdomains, maxZoom: tiles.max_zoom, attribution: tiles.attribution
        }).addTo(map);
      }
      element.wanggeMap = map; // for the browser tests and a curious console
      return map;
    },
    // GeoJSON (changed in place) in the coordinates of the basemap.
    geoJSON: function (data, tiles) {
      return shifted(tiles) ? gcoord.transform(data, gcoord.WGS84, gcoord.GCJ02) : data;
    },
    // A WGS-84 longitude and latitude as a point on the basemap.
    latLng: function (longitude, latitude, tiles) {
      var point = shifted(tiles)
        ? gcoord.transform([longitude, latitude], gcoord.WGS84, gcoord.GCJ02)
        : [longitude, latitude];
      return L.latLng(point[1], point[0]);
    },
    // A copy of the <template id="..."> with each [data-field] filled from ``values`` as text
    // (never as HTML: names are people's input); a field whose value is absent is removed.
    filled: function (templateId, values) {
      var element = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
      element.querySelectorAll("[data-field]").forEach(function (slot) {
        var value = values[slot.dataset.field];
        if (value === undefined || value === null || value === false) slot.remove();
        else if (slot.tagName === "A") slot.href = value;
        else if (value !== true) slot.textContent = value;
      });
      return element;
    }
  };
})();
