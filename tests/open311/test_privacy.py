"""What the public channels never give away: sensitive categories (someone's health or
circumstances), a door or room (locations are coarsened), and the count of reports (tickets
are random); and the far-off dates and long descriptions that once gave 500s."""

import json

import pytest
from django.test import Client

from tests.factories import COMMUNITY_1, GRID_A, centre_of
from wangge.events.models import TICKET_LENGTH, Category, Event
from wangge.open311.selectors import coarse_address, coarse_point

V2 = "/open311/v2"
PAGE = f"/report/{COMMUNITY_1}/"


@pytest.fixture
def app() -> Client:
    return Client(headers={"Accept-Language": "en"})


def filed(app, public, **fields) -> Event:
    """A report filed through the residents' page."""
    data = {"category": public.loop.category.pk, "building": public.house_a.pk,
            "description": "楼道灯坏了", "contact_name": "", "contact_phone": ""}
    data.update(fields)
    response = app.post(PAGE, data)
    assert response.status_code == 302, response.content.decode()
    return Event.objects.get(ticket=response.url.rstrip("/").rsplit("/", 1)[1])


def fever_report(app, public) -> Event:
    """A public report under 发热人员, as filed before the category was sensitive (or moved
    there by staff since)."""
    event = filed(app, public, description="3栋2单元301王大爷发烧三天")
    Event.objects.filter(pk=event.pk).update(category=Category.objects.get(code="fever"))
    event.refresh_from_db()
    return event


def test_the_default_categories_about_health_or_circumstances_are_sensitive(public):
    sensitive = set(Category.objects.filter(sensitive=True).values_list("code", flat=True))
    assert {"fever", "isolation-needs", "arrivals", "help-needed", "family"} <= sensitive
    assert not {"manhole-cover", "garbage", "disinfection"} & sensitive
    # Under a sensitive group, a category is sensitive too.
    elderly = Category.objects.get(code="elderly-alone")
    elderly.sensitive = False
    assert elderly.is_sensitive


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_sensitive_categories_are_not_offered_to_anyone(public, app, fmt):
    listed = app.get(f"{V2}/services.{fmt}").content.decode()
    assert "manhole-cover" in listed
    for code in ["fever", "isolation-needs", "elderly-alone", "family", "发热人员"]:
        assert code not in listed
    assert app.get(f"{V2}/services/fever.{fmt}").status_code == 404
    keyed = app.get(f"{V2}/services.{fmt}", {"api_key": public.secret}).content.decode()
    assert "fever" not in keyed
    page = app.get(PAGE).content.decode()
    assert "井盖缺失或破损" in page
    for name in ["发热人员", "独居老人求助", "家庭纠纷"]:
        assert name not in page


def test_sensitive_reports_are_read_by_no_public_client(public, app):
    fever = fever_report(app, public)
    other = filed(app, public)
    for params in [{}, {"service_code": "fever"}, {"service_request_id": fever.ticket},
                   {"api_key": public.secret}, {"api_key": public.secret,
                                                "service_code": "fever"}]:
        body = app.get(f"{V2}/requests.json", params).content.decode()
        assert fever.ticket not in body
        assert "发热人员" not in body
        assert "王大爷" not in body
    listed = json.loads(app.get(f"{V2}/requests.json").content)
    assert [r["service_request_id"] for r in listed] == [other.ticket]
    for params in [{}, {"api_key": public.secret}]:
        assert app.get(f"{V2}/requests/{fever.ticket}.json", params).status_code == 404
    # The one who holds the ticket still follows it, without the category named.
    page = app.get(f"/report/ticket/{fever.ticket}/")
    assert page.status_code == 200
    assert "发热人员" not in page.content.decode()


def test_sensitive_categories_cannot_be_filed_publicly(public, app):
    fever = Category.objects.get(code="fever")
    response = app.post(PAGE, {"category": fever.pk, "building": public.house_a.pk,
                               "description": "发烧", "contact_name": "", "contact_phone": ""})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    lon, lat = centre_of(GRID_A)
    response = app.post(f"{V2}/requests.json", {
        "api_key": public.secret, "service_code": "fever", "lat": lat, "long": lon,
        "description": "发烧"})
    assert response.status_code == 404
    assert not Event.objects.exists()


def test_public_locations_are_coarsened_and_keyed_reads_are_not(public, app):
    event = filed(app, public)
    house = public.house_a
    assert house.address == "测试路幸福里3栋"
    (read,) = json.loads(app.get(f"{V2}/requests/{event.ticket}.json").content)
    assert read["address"] == "测试路幸福里"
    assert read["address_id"] is None
    assert (read["lat"], read["long"]) == (round(house.latitude, 3), round(house.longitude, 3))
    assert (read["lat"], read["long"]) != (house.latitude, house.longitude)
    (keyed,) = json.loads(app.get(f"{V2}/requests/{event.ticket}.json",
                                  {"api_key": public.secret}).content)
    assert keyed["address"] == house.address
    assert keyed["address_id"] == str(house.pk)
    assert (keyed["lat"], keyed["long"]) == (house.latitude, house.longitude)


@pytest.mark.parametrize(("address", "coarse"), [
    ("测试路幸福里3栋", "测试路幸福里"),
    ("江岸区幸福路12号3栋2单元301室", "江岸区幸福路"),
    ("幸福里小区三栋二单元", "幸福里小区"),
    ("幸福里 A3 栋", "幸福里 A"),
    ("民意四路", "民意四路"),
])
def test_a_public_address_stops_before_any_number(address, coarse):
    assert coarse_address(address) == coarse
    assert coarse_point(114.305678) == 114.306


def test_tickets_are_random_and_the_counting_number_is_not_public(public, app):
    first, second = filed(app, public), filed(app, public)
    for event in (first, second):
        assert len(event.ticket) == TICKET_LENGTH
        assert app.get(f"/report/ticket/{event.number}/").status_code == 404
        assert app.get(f"{V2}/requests/{event.number}.json").status_code == 404
    assert first.ticket != second.ticket
    assert app.get(f"/report/ticket/{first.ticket}/").status_code == 200
    # Typed as a resident might: lower case, in groups, O for 0.
    typed = f"{first.ticket[:4]} {first.ticket[4:8]}-{first.ticket[8:]}".lower()
    response = app.get("/report/ticket/", {"number": typed})
    assert response.url == f"/report/ticket/{first.ticket}/"


@pytest.mark.parametrize("moment", ["0001-01-01", "0001-01-01T00:00:00+14:00",
                                    "9999-12-31T23:59:59+14:00", "9999-12-31"])
@pytest.mark.parametrize("name", ["start_date", "end_date"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_far_dates_are_a_clean_400(public, app, moment, name, fmt):
    response = app.get(f"{V2}/requests.{fmt}", {name: moment})
    assert response.status_code == 400
    assert f"{name} must be in the years 1901 to 2999.".encode() in response.content


def test_an_open311_description_is_limited_like_the_page(public, app):
    lon, lat = centre_of(GRID_A)
    data = {"api_key": public.secret, "service_code": "manhole-cover", "lat": lat,
            "long": lon, "description": "井" * 2001}
    response = app.post(f"{V2}/requests.json", data)
    assert response.status_code == 400
    assert json.loads(response.content) == [
        {"code": 400, "description": "description: Describe it in at most 2000 characters."}]
    assert not Event.objects.exists()
    data["description"] = "井" * 2000
    assert app.post(f"{V2}/requests.json", data).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_reports_distinct_tickets():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.open311.conftest import make_public

    public = make_public()
    events = [public.loop.report() for _ in range(3)]
    before = ("events", "0004_history_reason_text")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # 0005 and all that follows
    tickets = set(Event.objects.values_list("ticket", flat=True))
    assert len(tickets) == len(events)
    assert all(len(ticket) == TICKET_LENGTH for ticket in tickets)
    history = Event.history.model.objects.values_list("id", "ticket")
    assert all(ticket == Event.objects.get(pk=pk).ticket for pk, ticket in history)
    assert Category.objects.get(code="fever").sensitive


def test_a_photo_link_stops_working_once_the_report_is_sensitive(public, app):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.events.test_photos import camera_jpeg

    lon, lat = centre_of(GRID_A)
    photo = SimpleUploadedFile("p.jpg", camera_jpeg(), content_type="image/jpeg")
    (made,) = json.loads(app.post(f"{V2}/requests.json", {
        "api_key": public.secret, "service_code": "manhole-cover", "lat": lat, "long": lon,
        "description": "井盖", "media": photo}).content)
    (read,) = json.loads(app.get(f"{V2}/requests/{made['service_request_id']}.json",
                                 {"api_key": public.secret}).content)
    link = read["media_url"].removeprefix("http://testserver")
    assert app.get(link).status_code == 200
    Event.objects.update(category=Category.objects.get(code="fever"))
    assert app.get(link).status_code == 404


def test_a_busy_cache_lets_the_request_through(public, app, monkeypatch):
    from django.db import OperationalError

    from wangge.foundation import limits

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(limits, "is_ratelimited", busy)
    assert app.get(f"/report/ticket/{filed(app, public).ticket}/").status_code == 200
