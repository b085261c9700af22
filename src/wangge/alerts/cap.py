"""An alert as an OASIS CAP 1.2 document (``application/cap+xml``), built with lxml.

The area is the affected grids: each grid's boundary (GeoJSON, WGS-84 longitude/latitude)
becomes one ``<polygon>`` per exterior ring, written as CAP wants it: space-separated
"latitude,longitude" pairs, at least four, the first repeated as the last. CAP has no holes:
a hole's ring is left out, so the polygon covers it (a warning errs on the side of reach).
Times are written with their UTC offset and no "Z" (the schema's pattern refuses it).
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lxml import etree

from .models import Alert, Scope, Status

NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
# The media type of a CAP document (registered with IANA by OASIS; as weather services
# answer it).
MEDIA_TYPE = "application/cap+xml"
LANGUAGE = "zh-CN"
# Six decimals of a degree: about 0.1 m, finer than any grid boundary is drawn.
DIGITS = 6


def cap_time(moment: datetime.datetime) -> str:
    """2026-07-01T08:00:00+08:00: seconds, in the site's time zone, with its offset."""
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def polygon_rings(boundary: dict[str, Any]) -> list[list[list[float]]]:
    """The exterior rings of a GeoJSON Polygon or MultiPolygon (or a Feature holding one)."""
    if boundary.get("type") == "Feature":
        boundary = boundary["geometry"]
    if boundary["type"] == "Polygon":
        return [boundary["coordinates"][0]]
    return [polygon[0] for polygon in boundary["coordinates"]]


def cap_polygon(ring: Iterable[Iterable[float]]) -> str:
    """A ring of [lon, lat] positions as CAP's "lat,lon lat,lon ...", closed."""
    points = [(round(position[1], DIGITS), round(position[0], DIGITS))
              for position in (list(position) for position in ring)]
    if points[0] != points[-1]:
        points.append(points[0])
    return " ".join(f"{lat},{lon}" for lat, lon in points)


def reference(alert: Alert) -> str:
    """An alert as CAP's <references> names it: sender,identifier,sent."""
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent)}"


def chain(alert: Alert) -> list[Alert]:
    """The earlier messages ``alert`` replaces, directly or through them, oldest first."""
    earlier = []
    current = alert.replaces
    while current is not None:
        earlier.append(current)
        current = current.replaces
    return earlier[::-1]


def marked(alert: Alert, text: str) -> str:
    """``text`` marked [演练] for an exercise (and [测试] for a test), as on every page and
    in every notification: nobody may take a drill for a real warning."""
    if alert.status == Status.EXERCISE:
        return _("[Exercise] %(text)s") % {"text": text}
    if alert.status == Status.TEST:
        return _("[Test] %(text)s") % {"text": text}
    return text


def _add(parent: etree._Element, name: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = text
    return element


def cap_document(alert: Alert) -> bytes:
    """The alert as a CAP 1.2 XML document (UTF-8, with its declaration), in Chinese."""
    with translation.override(settings.LANGUAGE_CODE):
        return _document(alert)


def _document(alert: Alert) -> bytes:
    root = etree.Element(f"{{{NAMESPACE}}}alert", nsmap={None: NAMESPACE})
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "scope", alert.scope)
    if alert.scope == Scope.RESTRICTED:
        _add(root, "restriction", _("Participants of the exercise only"))
    note = alert.note
    if alert.status != Status.ACTUAL:
        note = marked(alert, note or _("Not a real warning."))
    if note:
        _add(root, "note", note)
    if earlier := chain(alert):
        _add(root, "references", " ".join(reference(each) for each in earlier))
    info = etree.SubElement(root, f"{{{NAMESPACE}}}info")
    _add(info, "language", LANGUAGE)
    _add(info, "category", alert.category)
    _add(info, "event", alert.event)
    _add(info, "urgency", alert.urgency)
    _add(info, "severity", alert.severity)
    _add(info, "certainty", alert.certainty)
    for name in ("effective", "onset", "expires"):
        if moment := getattr(alert, name):
            _add(info, name, cap_time(moment))
    _add(info, "headline", marked(alert, alert.headline))
    for name in ("description", "instruction", "web"):
        if text := getattr(alert, name):
            _add(info, name, text)
    grids = list(alert.grids.all())
    area = etree.SubElement(info, f"{{{NAMESPACE}}}area")
    _add(area, "areaDesc", "、".join(grid.name for grid in grids))
    for grid in grids:
        for ring in polygon_rings(grid.boundary):
            _add(area, "polygon", cap_polygon(ring))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
