// Small location maps (web/includes/location_map.html): a point on its basemap, or, on an
// intranet without tiles, inside the outline of its grid. The page scrolls past them: they
// do not pan or zoom by touch, only by their + and − buttons, always around the point.
(function () {
  "use strict";
  if (!window.L) return;
  document.querySelectorAll(".location-map").forEach(function (element) {
    var data = JSON.parse(element.dataset.location);
    var tiles = data.tiles;
    var map = WanggeMap.create(element, tiles, {
      dragging: false, touchZoom: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false
    });
    var point = WanggeMap.latLng(data.point[0], data.point[1], tiles);
    var outline = data.grid && L.geoJSON(WanggeMap.geoJSON(data.grid, tiles), {
      interactive: false,
      style: { color: "#5b2a1a", weight: 1.5, fillColor: "#fdf0e3", fillOpacity: tiles ? 0.15 : 0.8 }
    });
    // The view first: Leaflet draws a layer only on a map that has one.
    if (tiles || !outline) {
      map.setView(point, tiles ? Math.min(17, tiles.max_zoom) : 17);
    } else {
      // The grid around the point, with the point in the middle.
      var bounds = outline.getBounds();
      var lat = Math.max(bounds.getNorth() - point.lat, point.lat - bounds.getSouth());
      var lng = Math.max(bounds.getEast() - point.lng, point.lng - bounds.getWest());
      map.fitBounds([[point.lat - lat, point.lng - lng], [point.lat + lat, point.lng + lng]]);
    }
    if (outline) outline.addTo(map);
    L.circleMarker(point, { radius: 8, color: "#fff", weight: 2, fillColor: "#b3261e",
                            fillOpacity: 1, interactive: false, className: "location-pin" })
      .addTo(map);
  });
})();
