"""What every map of grids shares: the basemap, when one is configured."""

from typing import Any

from django.conf import settings


def tile_layer() -> dict[str, Any] | None:
    """The basemap under every map, or None on an intranet without a tile server (the maps
    then draw grid polygons on a plain background). ``gcj02``: the basemap is drawn in GCJ-02,
    so the maps shift our WGS-84 points and polygons onto it."""
    if not settings.WANGGE_TILE_URL:
        return None
    return {"url": settings.WANGGE_TILE_URL, "subdomains": settings.WANGGE_TILE_SUBDOMAINS,
            "attribution": settings.WANGGE_TILE_ATTRIBUTION, "gcj02": settings.WANGGE_TILE_GCJ02,
            "max_zoom": settings.WANGGE_TILE_MAX_ZOOM}
