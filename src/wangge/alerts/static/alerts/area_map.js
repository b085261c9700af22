// The area of an alert (alerts/detail.html): the affected grids' polygons, as its CAP document
// gives them, fitted into a small map that the page scrolls past (+ and − zoom it).
(function () {
  "use strict";
  if (!window.L) return;
  document.querySelectorAll(".alert-area").forEach(function (element) {
    var data = JSON.parse(element.dataset.area);
    var tiles = data.tiles;
    var map = WanggeMap.create(element, tiles, {
      dragging: false, touchZoom: false, scrollWheelZoom: false, doubleClickZoom: false,
      boxZoom: false, keyboard: false
    });
    var area = L.geoJSON(WanggeMap.geoJSON(data.area, tiles), {
      interactive: false,
      style: { color: "#b3261e", weight: 1.5, fillColor: "#f9dedc", fillOpacity: tiles ? 0.3 : 0.8 }
    });
    map.fitBounds(area.getBounds());
    area.addTo(map);
  });
})();
