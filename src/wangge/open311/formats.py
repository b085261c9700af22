"""GeoReport v2 documents in its two formats: XML (required by the spec) and JSON (its
programmatic mapping, the "Spark convention": a list of records is a JSON array, a record
an object, an empty value null)."""

import json
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element each item of a list is written as, by the list's element name.
ITEM_ELEMENT = {"services": "service", "service_requests": "request", "errors": "error",
                "attributes": "attribute", "values": "value", "endpoints": "endpoint",
                "formats": "format"}


def w3_datetime(moment: datetime | None) -> str | None:
    """ISO 8601 as in the w3 note, with its offset (2010-04-14T06:37:38+08:00)."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_ELEMENT[name], item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: list | dict) -> bytes:
    """``value`` under the root element ``root``: a list becomes its items, a dict its
    fields; with the XML declaration the spec asks for."""
    element = ET.Element(root)
    if isinstance(value, list):
        for item in value:
            _append(element, ITEM_ELEMENT[root], item)
    else:
        for key, item in value.items():
            _append(element, key, item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8",
                                                                 xml_declaration=False)


def document(fmt: str, root: str, value: list | dict, status: int = 200) -> HttpResponse:
    """The response for ``value`` in ``fmt``; ``root`` names the XML root element."""
    body = to_xml(root, value) if fmt == "xml" else json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error document: one entry per problem, each with the HTTP status code."""
    return document(fmt, "errors",
                    [{"code": status, "description": text} for text in descriptions], status)
