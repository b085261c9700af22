"""Grid boundaries: GeoJSON in, validated shapes out, point-in-polygon placement."""

from typing import Any

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# Shared edges between neighbouring grids are fine; a sliver of overlap from rounding is
# tolerated up to this share of the smaller grid's area.
OVERLAP_TOLERANCE = 1e-6


def boundary_shape(geojson: Any) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from a GeoJSON geometry (or a Feature holding one)."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    try:
        geometry = shape(geojson)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as error:
        raise ValidationError(
            _("The boundary is not a GeoJSON geometry: %(error)s"),
            code="boundary_geojson", params={"error": error},
        ) from error
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            _("A grid boundary must be a Polygon or MultiPolygon, not a %(type)s."),
            code="boundary_type", params={"type": geometry.geom_type},
        )
    if geometry.is_empty or not geometry.is_valid:
        raise ValidationError(
            _("The boundary polygon is invalid (%(reason)s)."),
            code="boundary_invalid", params={"reason": shapely.is_valid_reason(geometry)},
        )
    return geometry


def overlaps(first: BaseGeometry, second: BaseGeometry) -> bool:
    """True when two boundaries share area, not just an edge."""
    if not first.intersects(second):
        return False
    shared = first.intersection(second).area
    return shared > OVERLAP_TOLERANCE * min(first.area, second.area)
