"""An Open311 client from PyPI against a running server: georeport (GeoReport v2, maintained)
lists the services, reads a service definition and follows a request's status in JSON and XML.

georeport does not create requests (its README says so), so the request is created as
every GeoReport client sends it: a form-encoded POST to requests.json with the api_key, sent
with requests, the HTTP library georeport itself uses."""

import pytest
import requests
from georeport import GeoReport

from tests.factories import COMMUNITY_1, GRID_A, centre_of
from tests.open311.conftest import make_public
from wangge.events.models import Event
from wangge.events.services import event_transition


@pytest.mark.django_db(transaction=True)
def test_an_open311_client_lists_creates_and_follows(live_server):
    public = make_public()
    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, jurisdiction=COMMUNITY_1, api_key=public.secret)
    codes = {service["service_code"] for service in client.get_service_list()}
    assert {"manhole-cover", "garbage", "disinfection"} <= codes
    assert "fever" not in codes  # sensitive: no Open311 client sees it
    definition = client.get_service_definition("manhole-cover")
    assert definition["attributes"][0]["code"] == "priority"

    lon, lat = centre_of(GRID_A)
    created = requests.post(f"{root}/requests.json", timeout=30, data={
        "api_key": client.api_key, "jurisdiction_id": client.jurisdiction,
        "service_code": "manhole-cover", "lat": lat, "long": lon,
        "description": "幸福路井盖缺失", "attribute[priority]": "urgent"})
    assert created.status_code == 200, created.text
    number = created.json()[0]["service_request_id"]

    request = client.get_service_request(number)
    assert (request["status"], request["service_code"]) == ("open", "manhole-cover")
    assert request["status_notes"]  # the state, in the server's language
    assert number in {r["service_request_id"] for r in client.get_service_requests(
        status="open", service_code="manhole-cover")}

    event = Event.objects.get(ticket=number)
    event_transition(event=event, name="decline", by=public.loop.worker,
                     comment="已由物业处理")
    as_xml = GeoReport(root, jurisdiction=COMMUNITY_1, output_format="xml")
    request = as_xml.get_service_request(number)
    assert request["status"] == "closed"
    services = as_xml.get_service_list()
    assert any(service["service_code"] == "manhole-cover" for service in services)
