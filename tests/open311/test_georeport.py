"""Open311 GeoReport v2 at /open311/v2/: every method in JSON and XML, its errors in the
spec's format, and a key bound to its jurisdiction."""

import datetime
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.events.test_photos import TOO_MANY_PIXELS, camera_jpeg, huge_upload
from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_A, GRID_B, GRID_C, SYSTEM, centre_of
from wangge.events.models import Channel, Event, Priority, State
from wangge.events.services import event_merge, event_transition
from wangge.open311.models import PublicReport, Source
from wangge.open311.services import open311_key_create

V2 = "/open311/v2"


@pytest.fixture
def app() -> Client:
    return Client(headers={"Accept-Language": "en"})


def parsed(response):
    if response["Content-Type"].startswith("text/xml"):
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ET.fromstring(response.content)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def error_of(response, fmt: str) -> list[tuple[int, str]]:
    body = parsed(response)
    if fmt == "xml":
        assert body.tag == "errors"
        return [(int(e.findtext("code")), e.findtext("description")) for e in body]
    return [(item["code"], item["description"]) for item in body]


def create(app, public, fmt="json", **fields):
    lon, lat = centre_of(GRID_A)
    data = {"api_key": public.secret, "service_code": "manhole-cover", "lat": lat, "long": lon,
            "description": "井盖缺失", "first_name": "John", "last_name": "Smith",
            "email": "john@example.org", "phone": "13812345678", "device_id": "tt222111",
            "account_id": "123456", "attribute[priority]": "high"}
    data.update(fields)
    return app.post(f"{V2}/requests.{fmt}", {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_discovery_document_points_at_v2(public, app, fmt):
    body = parsed(app.get(f"/open311/discovery.{fmt}"))
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        assert body.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2"
        assert [f.text for f in body.findall("endpoints/endpoint/formats/format")] == [
            "text/xml", "application/json"]


def test_the_services_are_the_leaf_categories_in_json(public, app):
    services = parsed(app.get(f"{V2}/services.json"))
    by_code = {service["service_code"]: service for service in services}
    manhole = by_code["manhole-cover"]
    assert manhole == {"service_code": "manhole-cover", "service_name": "井盖缺失或破损",
                       "description": "Handled within 168 hours; urgent ones within 24.",
                       "metadata": True, "type": "realtime", "keywords": "公共设施, 井盖缺失或破损",
                       "group": "公共设施"}
    assert "public-facilities" not in by_code  # a group, not something one reports
    assert services[0]["group"] == "公共设施"
    assert services[-1]["group"] == "疫情防控"


def test_the_services_in_xml(public, app):
    root = parsed(app.get(f"{V2}/services.xml"))
    assert root.tag == "services"
    service = next(s for s in root.findall("service")
                   if s.findtext("service_code") == "manhole-cover")
    assert [child.tag for child in service] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert service.findtext("metadata") == "true"
    assert service.findtext("type") == "realtime"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_jurisdiction_is_404_in_the_spec_format(public, app, fmt):
    response = app.get(f"{V2}/services.{fmt}", {"jurisdiction_id": "990000000000"})
    assert response.status_code == 404
    assert error_of(response, fmt) == [(404, "jurisdiction_id 990000000000 was not found.")]
    assert app.get(f"{V2}/services.{fmt}", {"jurisdiction_id": COMMUNITY_1}).status_code == 200


def test_a_service_definition_offers_the_priority(public, app):
    body = parsed(app.get(f"{V2}/services/manhole-cover.json"))
    assert body["service_code"] == "manhole-cover"
    (attribute,) = body["attributes"]
    assert {k: attribute[k] for k in ["variable", "code", "datatype", "required", "order"]} == {
        "variable": True, "code": "priority", "datatype": "singlevaluelist",
        "required": False, "order": 1}
    assert [value["key"] for value in attribute["values"]] == ["urgent", "high", "normal"]
    root = parsed(app.get(f"{V2}/services/manhole-cover.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "priority"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "urgent", "high", "normal"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_404(public, app, fmt):
    response = app.get(f"{V2}/services/no-such-thing.{fmt}")
    assert response.status_code == 404
    assert error_of(response, fmt) == [(404, "service_code no-such-thing was not found.")]


def test_a_key_creates_a_request_through_the_events(public, app):
    response = create(app, public)
    assert response.status_code == 200
    (answer,) = parsed(response)
    event = Event.objects.get()
    assert answer["service_request_id"] == event.ticket
    assert answer["account_id"] == "123456"
    assert answer["service_notice"].startswith("To be handled by ")
    assert (event.channel, event.reporter, event.grid_code) == (Channel.PUBLIC, None, GRID_A)
    assert event.priority == Priority.HIGH
    assert event.category.code == "manhole-cover"
    report = PublicReport.objects.get(event=event)
    assert (report.source, report.client) == (Source.OPEN311, public.key)
    assert (report.contact_name, report.contact_email, report.contact_phone) == (
        "John Smith", "john@example.org", "13812345678")
    assert (report.device_id, report.account_id) == ("tt222111", "123456")


def test_a_request_in_xml_with_a_photo(public, app):
    photo = SimpleUploadedFile("p.jpg", camera_jpeg(), content_type="image/jpeg")
    response = create(app, public, "xml", media=photo,
                      media_url="http://photos.example.org/1.jpg")
    root = parsed(response)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    event = Event.objects.get(ticket=number)
    assert event.photos.count() == 1
    assert event.public_report.media_url == "http://photos.example.org/1.jpg"
    # A keyed read hands out a signed link to the photo, which serves it.
    (read,) = parsed(app.get(f"{V2}/requests/{number}.json", {"api_key": public.secret}))
    photo = app.get(read["media_url"].removeprefix("http://testserver"))
    assert photo["Content-Type"] == "image/jpeg"
    assert b"HUAWEI" not in b"".join(photo.streaming_content)
    assert app.get(read["media_url"].removeprefix("http://testserver")[:-3] + "xx/").status_code \
        == 404


def test_a_request_at_a_building_by_address_id_or_address_string(public, app):
    (by_id,) = parsed(create(app, public, lat=None, long=None, address_id=public.house_b.pk))
    (by_address,) = parsed(create(app, public, lat=None, long=None,
                                  address_string=public.house_a.address))
    assert Event.objects.get(ticket=by_id["service_request_id"]).building == public.house_b
    assert Event.objects.get(ticket=by_address["service_request_id"]).building == public.house_a


@pytest.mark.parametrize("written", ["幸福里三幢", "幸福里3号楼2单元501", "幸福里３栋"])
def test_address_string_is_read_by_the_address_base(public, app, written):
    """The address base the imports use: the building written any usual way."""
    (by_address,) = parsed(create(app, public, lat=None, long=None, address_string=written))
    assert Event.objects.get(ticket=by_address["service_request_id"]).building == public.house_a


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("fields", "status", "description"), [
    ({"api_key": None}, 403, "An api_key is required to create a request."),
    ({"api_key": "o311_wrong"}, 403, "Invalid api_key received -- can't proceed."),
    ({"service_code": None}, 400, "service_code was not provided."),
    ({"service_code": "nope"}, 404, "service_code nope was not found."),
    ({"lat": None, "long": None}, 400,
     "A location is required: lat and long, address_string or address_id."),
    ({"lat": "north"}, 400, "lat and long must both be sent, as numbers."),
    ({"lat": None, "long": None, "address_string": "nowhere"}, 400,
     "address_string does not name one building of this jurisdiction: send lat and long."),
    ({"attribute[priority]": "now"}, 400,
     "attribute[priority] must be one of urgent, high, normal."),
    ({"description": None}, 400, "description: Describe what you found."),
    ({"phone": "12345"}, 400, "phone: 12345 is not a phone number: use an 11-digit mobile "
                              "starting with 1, or a fixed line with its area code, such as "
                              "027-85551234."),
    ({"email": "john"}, 400, "email: Enter a valid email address."),
    ({"jurisdiction_id": "990000000000"}, 404, "jurisdiction_id 990000000000 was not found."),
])
def test_a_request_is_refused_with_the_reason(public, app, fmt, fields, status, description):
    response = create(app, public, fmt, **fields)
    assert response.status_code == status
    assert error_of(response, fmt) == [(status, description)]
    assert not Event.objects.exists()


def test_a_key_files_only_within_its_jurisdiction(public, app):
    lon, lat = centre_of(GRID_C)
    response = create(app, public, lat=lat, long=lon)
    assert response.status_code == 403
    assert error_of(response, "json") == [
        (403, "lat/long: This location is outside the area this page or key serves.")]
    response = create(app, public, lat=None, long=None, address_id=public.house_c.pk)
    assert response.status_code == 400  # not one of its buildings
    response = create(app, public, jurisdiction_id=COMMUNITY_2)
    assert error_of(response, "json") == [
        (403, f"This api_key may not act in jurisdiction {COMMUNITY_2}.")]
    _key, grid_secret = open311_key_create(name="grid B app", jurisdiction_code=GRID_B)
    assert create(app, public, api_key=grid_secret).status_code == 403  # grid A's point
    lon, lat = centre_of(GRID_B)
    assert create(app, public, api_key=grid_secret, lat=lat, long=lon).status_code == 200
    assert not Event.objects.filter(grid_code__in=[GRID_A, GRID_C]).exists()


def test_a_key_is_rate_limited(public, app, settings):
    settings.WANGGE_OPEN311_RATE = "2/h"
    assert create(app, public).status_code == 200
    assert create(app, public).status_code == 200
    response = create(app, public)
    assert response.status_code == 429
    assert error_of(response, "json")[0][0] == 429
    assert Event.objects.count() == 2


def test_an_oversized_request_is_refused_unread(public, app, settings):
    settings.WANGGE_PUBLIC_MAX_PHOTOS = 1
    settings.WANGGE_PHOTO_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.jpg", b"x" * (2 * 2**20), content_type="image/jpeg")
    response = create(app, public, media=big)
    assert response.status_code == 413
    assert not Event.objects.exists()


def requests_made(app, public) -> dict[str, Event]:
    """Three public requests (grid A, grid B, grid C) and one event filed by staff."""
    made = {}
    for name, grid in [("a", GRID_A), ("b", GRID_B)]:
        lon, lat = centre_of(grid)
        (answer,) = parsed(create(app, public, lat=lat + 0.0012345, long=lon + 0.0012345,
                                  description=f"井盖{name}"))
        made[name] = Event.objects.get(ticket=answer["service_request_id"])
    _key, other_secret = open311_key_create(name="other", jurisdiction_code=COMMUNITY_2)
    lon, lat = centre_of(GRID_C)
    (answer,) = parsed(create(app, public, api_key=other_secret, lat=lat, long=lon,
                              service_code="garbage", description="垃圾"))
    made["c"] = Event.objects.get(ticket=answer["service_request_id"])
    made["staff"] = public.loop.report()
    return made


def test_reads_without_a_key_show_public_requests_without_personal_data(public, app):
    made = requests_made(app, public)
    listed = parsed(app.get(f"{V2}/requests.json"))
    assert {r["service_request_id"] for r in listed} == {
        made[name].ticket for name in "abc"}  # not the staff's own report
    (request_a,) = [r for r in listed if r["service_request_id"] == made["a"].ticket]
    assert list(request_a) == [
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long", "media_url"]
    assert request_a["status"] == "open"
    assert request_a["status_notes"] == "Reported"
    assert request_a["description"] is None
    assert request_a["lat"] == round(made["a"].latitude, 3)
    assert request_a["long"] == round(made["a"].longitude, 3)
    assert request_a["requested_datetime"].endswith("+08:00")
    body = json.dumps(listed, ensure_ascii=False)
    for hidden in ["井盖a", "John", "13812345678", "john@example.org", "123456"]:
        assert hidden not in body
    in_community = parsed(app.get(f"{V2}/requests.json", {"jurisdiction_id": COMMUNITY_2}))
    assert [r["service_request_id"] for r in in_community] == [made["c"].ticket]


def test_a_keyed_read_is_full_but_only_within_its_jurisdiction(public, app):
    made = requests_made(app, public)
    listed = parsed(app.get(f"{V2}/requests.json", {"api_key": public.secret}))
    assert {r["service_request_id"] for r in listed} == {made["a"].ticket, made["b"].ticket}
    (request_a,) = [r for r in listed if r["service_request_id"] == made["a"].ticket]
    assert request_a["description"] == "井盖a"
    assert request_a["lat"] == made["a"].latitude
    response = app.get(f"{V2}/requests/{made['c'].ticket}.json", {"api_key": public.secret})
    assert response.status_code == 404
    response = app.get(f"{V2}/requests.json", {"api_key": "o311_wrong"})
    assert error_of(response, "json") == [(403, "Invalid api_key received -- can't proceed.")]


def test_requests_filter_by_id_service_status_and_dates(public, app):
    made = requests_made(app, public)
    loop = public.loop
    event_transition(event=made["b"], name="decline", by=loop.community,
                     comment="重复上报，已在处理")

    def numbers(**params) -> set[str]:
        response = app.get(f"{V2}/requests.json", params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in parsed(response)}

    a, b, c = (made[name].ticket for name in "abc")
    assert numbers(service_request_id=f"{a},{c},SJ99999999,bogus") == {a, c}
    assert numbers(service_code="garbage") == {c}
    assert numbers(service_code="garbage,manhole-cover") == {a, b, c}
    assert numbers(status="closed") == {b}
    assert numbers(status="open") == {a, c}
    assert numbers(status="open,closed") == {a, b, c}
    today = timezone.localdate()
    assert numbers(start_date=f"{today - datetime.timedelta(days=1)}T00:00:00Z") == {a, b, c}
    assert numbers(end_date=f"{today - datetime.timedelta(days=1)}T00:00:00+08:00") == set()
    # ids override every other argument
    assert numbers(service_request_id=b, status="open") == {b}


@pytest.mark.parametrize(("params", "description"), [
    ({"status": "pending"}, "status may be open, closed, or both (open,closed)."),
    ({"start_date": "last week"},
     "start_date must be a w3 date and time, such as 2010-01-01T00:00:00Z."),
    ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"},
     "start_date and end_date may not span more than 90 days."),
    ({"start_date": "2024-06-01", "end_date": "2024-05-01"}, "end_date is before start_date."),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_400(public, app, params, description, fmt):
    response = app.get(f"{V2}/requests.{fmt}", params)
    assert response.status_code == 400
    assert error_of(response, fmt) == [(400, description)]


def test_states_map_to_open_and_closed_with_notes(public, app):
    made = requests_made(app, public)
    loop = public.loop
    event = made["a"]
    for name, extra in [("accept", {}), ("dispatch", {"organization": loop.police}),
                        ("start", {}), ("feedback", {"comment": "已更换井盖"})]:
        by = loop.department if name in ("start", "feedback") else loop.worker
        event_transition(event=event, name=name, by=by, **extra)
    (keyed,) = parsed(app.get(f"{V2}/requests/{event.ticket}.json", {"api_key": public.secret}))
    assert (keyed["status"], keyed["status_notes"]) == ("open", "Fed back: 已更换井盖")
    assert keyed["agency_responsible"] == loop.police.name
    (public_read,) = parsed(app.get(f"{V2}/requests/{event.ticket}.json"))
    assert public_read["status_notes"] == "Fed back"
    for name in ("verify", "close"):
        event_transition(event=event, name=name, by=loop.worker)
    event.refresh_from_db()
    (closed,) = parsed(app.get(f"{V2}/requests/{event.ticket}.json"))
    assert closed["status"] == "closed"
    assert closed["expected_datetime"] is None
    assert closed["updated_datetime"] == timezone.localtime(event.closed_at).isoformat(
        timespec="seconds")
    event_transition(event=made["b"], name="accept", by=loop.community)
    event_merge(event=made["b"], into=made["c"], by=SYSTEM)
    (merged,) = parsed(app.get(f"{V2}/requests/{made['b'].ticket}.json"))
    assert (merged["status"], merged["status_notes"]) == (
        "closed", f"Duplicate of {made['c'].ticket}.")
    assert Event.objects.get(pk=made["b"].pk).state == State.MERGED


def test_one_request_in_xml(public, app):
    made = requests_made(app, public)
    root = parsed(app.get(f"{V2}/requests/{made['a'].ticket}.xml"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long", "media_url"]
    assert request.findtext("status") == "open"
    assert request.findtext("description") == ""
    listed = parsed(app.get(f"{V2}/requests.xml", {"api_key": public.secret}))
    assert {r.findtext("description") for r in listed.findall("request")} == {"井盖a", "井盖b"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(public, app, fmt):
    response = app.get(f"{V2}/requests/SJ99999999.{fmt}")
    assert response.status_code == 404
    assert error_of(response, fmt) == [(404, "service_request_id SJ99999999 was not found.")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_method_the_resource_does_not_take_is_405(public, app, fmt):
    response = app.delete(f"{V2}/services.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert error_of(response, fmt) == [(405, "Use GET here.")]
    assert app.put(f"{V2}/requests.{fmt}")["Allow"] == "GET, POST"


def test_anything_else_under_v2_is_a_404_in_the_spec_format(public, app):
    response = app.get(f"{V2}/tokens/123.xml")
    assert response.status_code == 404
    assert error_of(response, "xml") == [
        (404, "There is no GeoReport v2 method at tokens/123.xml.")]
    assert app.post(f"{V2}/nothing").status_code == 404


def test_a_media_photo_with_too_many_pixels_is_refused(public, app, decoded_in):
    response = create(app, public, media=huge_upload())
    assert response.status_code == 400
    assert error_of(response, "json") == [(400, f"media: {TOO_MANY_PIXELS}")]
    assert not Event.objects.exists()
    assert decoded_in == [0]
