import pytest

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
    make_building,
    make_person,
    make_user,
    square,
)
from wangge.divisions.services import division_create
from wangge.foundation.permissions import Role
from wangge.open311.services import open311_key_create
from wangge.organizations.services import organization_create
from wangge.people.models import Person
from wangge.people.services import household_create
from wangge.places.models import Building


@pytest.fixture
def people(world):
    return {"a": make_person(GRID_A, name="甲居民"), "c": make_person(GRID_C, name="丙居民")}


def test_admin_lists_only_the_jurisdiction(client, people):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    page = client.get("/admin/people/person/").content.decode()
    assert "甲居民" in page
    assert "丙居民" not in page
    assert client.get(f"/admin/people/person/{people['c'].pk}/change/").status_code == 404
    assert client.get(f"/admin/people/person/{people['a'].pk}/change/").status_code == 200


def test_admin_masks_ids_for_a_street_officer(client, people):
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    page = client.get("/admin/people/person/").content.decode()
    number = people["a"].id_number
    assert number not in page
    assert number[:4] + "*" * 10 + number[-4:] in page
    change = client.get(f"/admin/people/person/{people['a'].pk}/change/").content.decode()
    assert number not in change
    assert client.get(f"/admin/people/person/{people['a'].pk}/history/").status_code == 403


def test_grid_workers_have_no_back_office(client, people):
    client.force_login(make_user(Role.GRID_WORKER, GRID_A))
    assert client.get("/admin/people/person/").status_code == 302


def test_admin_edit_validates_and_records_the_reason(client, people):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    person = people["a"]
    url = f"/admin/people/person/{person.pk}/change/"
    form = {
        "name": person.name, "document_type": person.document_type,
        "id_number": person.id_number, "sex": person.sex, "birth_date": person.birth_date,
        "ethnicity": "", "phone": "12345", "residence_type": person.residence_type,
        "occupation": "", "health_status": person.health_status, "vulnerable_tags": "[]",
        "reason": "更正电话",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "不是电话号码" in response.content.decode()
    assert Person.objects.get(pk=person.pk).phone == person.phone
    response = client.post(url, {**form, "phone": "139-0000-1234"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13900001234"
    assert person.history.latest().history_change_reason == "更正电话"


def test_admin_refuses_an_overlapping_grid(client, world):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    import json

    response = client.post("/admin/divisions/grid/add/", {
        "code": "420102001001003", "name": "新网格",
        "boundary": json.dumps(square(114.305, 30.60)), "reason": "新建",
    })
    assert response.status_code == 200
    assert "民意一网格" in response.content.decode()


# --- saves go through the services ---------------------------------------------------------

def _organization_form(organization, **changes):
    return {"name": organization.name, "kind": organization.kind,
            "credit_code": organization.credit_code, "contact_name": organization.contact_name,
            "contact_phone": organization.contact_phone, "reason": "更正", **changes}


def test_admin_cannot_change_an_organization_filed_in_another_street(page_as, world):
    """Seen because it serves a grid here, but filed in street 2: only its own may change it."""
    organization = organization_create(name="天声志愿队", kind="volunteer_team",
                                       grid_code=GRID_C, served_grid_codes=[GRID_A], by=SYSTEM)
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    url = f"/admin/organizations/organization/{organization.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, _organization_form(organization, name="改名队"))
    assert response.status_code == 200
    assert "outside your jurisdiction" in response.content.decode()
    organization.refresh_from_db()
    assert organization.name == "天声志愿队"


def test_admin_organization_phone_is_checked_by_the_service(client, world):
    organization = organization_create(name="民意志愿队", kind="volunteer_team",
                                       grid_code=GRID_A, by=SYSTEM)
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    url = f"/admin/organizations/organization/{organization.pk}/change/"
    response = client.post(url, _organization_form(organization, contact_phone="12345"))
    assert response.status_code == 200
    assert "不是电话号码" in response.content.decode()
    organization.refresh_from_db()
    assert organization.contact_phone == ""
    assert organization.history.count() == 1  # nothing saved, not even a history row
    response = client.post(url, _organization_form(organization, contact_phone="139-0000-1234",
                                                   reason="补充电话"))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.contact_phone == "13900001234"
    latest = organization.history.latest()
    assert latest.history_change_reason == "补充电话"
    assert latest.history_user.role == Role.COMMUNITY_STAFF


def test_admin_building_moved_outside_the_jurisdiction_is_refused_on_the_form(page_as, world):
    building = make_building(GRID_A)
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    url = f"/admin/places/building/{building.pk}/change/"
    lon, lat = centre_of(GRID_C)
    form = {"name": building.name, "address": building.address, "longitude": lon,
            "latitude": lat, "units": building.units, "floors": building.floors,
            "division_code": "", "reason": "挪位置"}
    response = client.post(url, form)
    assert response.status_code == 200
    assert f"{GRID_C} is outside your jurisdiction" in response.content.decode()
    building.refresh_from_db()
    assert building.grid_code == GRID_A


def test_admin_add_goes_through_the_service(client, world):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    lon, lat = centre_of(GRID_C)
    form = {"name": "新楼", "address": "路3号", "longitude": lon, "latitude": lat, "units": 1,
            "floors": 6, "division_code": "", "reason": "新建"}
    response = client.post("/admin/places/building/add/", form)
    assert response.status_code == 200
    assert not Building.objects.filter(name="新楼").exists()
    lon, lat = centre_of(GRID_A)
    response = client.post("/admin/places/building/add/",
                           {**form, "longitude": lon, "latitude": lat})
    assert response.status_code == 302
    building = Building.objects.get(name="新楼")
    assert building.grid_code == GRID_A
    assert building.history.get().history_change_reason == "新建"


def test_admin_asks_the_reason(client, people):
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    household = household_create(head=people["a"], by=SYSTEM)
    url = f"/admin/people/household/{household.pk}/change/"
    assert client.post(url, {"number": "H-1", "reason": ""}).status_code == 200
    household.refresh_from_db()
    assert household.number == ""
    assert client.post(url, {"number": "H-1", "reason": "补登户号"}).status_code == 302
    household.refresh_from_db()
    assert household.number == "H-1"
    assert household.history.latest().history_change_reason == "补登户号"


# --- masked fields are never searched --------------------------------------------------------

def test_admin_search_by_a_masked_id_finds_nothing(client, people):
    number = people["a"].id_number
    client.force_login(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    assert "甲居民" in client.get("/admin/people/person/", {"q": number}).content.decode()
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    page = client.get("/admin/people/person/", {"q": number}).content.decode()
    assert "甲居民" not in page
    assert "甲居民" in client.get("/admin/people/person/", {"q": "甲居民"}).content.decode()


@pytest.mark.parametrize("lookup", ["id_number", "id_number__startswith", "birth_date",
                                    "birth_date__month", "health_status"])
def test_admin_filter_by_a_masked_field_is_refused(client, people, lookup):
    person = people["a"]
    value = {"id_number": person.id_number, "id_number__startswith": person.id_number[:10],
             "birth_date": person.birth_date, "health_status": person.health_status,
             "birth_date__month": person.birth_date.month}[lookup]
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    response = client.get("/admin/people/person/", {lookup: value})
    assert response.status_code == 400
    assert "甲居民" not in response.content.decode()


def test_admin_filter_through_a_relation_to_a_masked_field_is_refused(client, people):
    household_create(head=people["a"], by=SYSTEM)
    client.force_login(make_user(Role.STREET_OFFICER, STREET_1))
    response = client.get("/admin/people/household/",
                          {"head__id_number": people["a"].id_number})
    assert response.status_code == 400


def test_admin_masked_fields_are_not_searchable_or_sortable_for_any_role(rf, world):
    """Walks every admin: no role searches, filters or sorts by a field it sees masked."""
    from django.contrib import admin

    from wangge.foundation.admin import reveals_masked

    for role in Role.values:
        request = rf.get("/admin/")
        request.user = make_user(role, DISTRICT)
        for model, model_admin in admin.site._registry.items():
            names = [*model_admin.get_search_fields(request),
                     *[entry for entry in model_admin.get_list_filter(request)
                       if isinstance(entry, str)],
                     *[column for column in model_admin.get_sortable_by(request)
                       if isinstance(column, str)]]
            for name in names:
                assert not reveals_masked(request.user, model, name), (role, model, name)


# --- Open311 keys ----------------------------------------------------------------------------

def test_district_admin_cannot_see_or_retire_another_districts_key(client, world):
    division_create(code="420103000000", name="江汉区", by=SYSTEM)
    other, _secret = open311_key_create(name="江汉区热线", jurisdiction_code="420103000000")
    own, _secret = open311_key_create(name="江岸区热线", jurisdiction_code=DISTRICT)
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    page = client.get("/admin/open311/open311key/").content.decode()
    assert "江岸区热线" in page
    assert "江汉区热线" not in page
    url = f"/admin/open311/open311key/{other.pk}/change/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"active": ""}).status_code == 404
    other.refresh_from_db()
    assert other.active
    response = client.post(f"/admin/open311/open311key/{own.pk}/change/", {"active": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert not own.active


def test_responders_are_added_within_the_jurisdiction(page_as, world):
    from wangge.events.models import Responder

    own, other = (organization_create(name=name, kind="property_company", grid_code=grid,
                                      by=SYSTEM)
                  for name, grid in (("民意物业", GRID_A), ("天声物业", GRID_C)))
    desk = make_user(Role.DEPARTMENT_STAFF, STREET_1)
    stranger = make_user(Role.DEPARTMENT_STAFF, "420102002000")
    client = page_as(make_user(Role.DISTRICT_ADMIN, STREET_1))
    url = "/admin/events/responder/add/"
    for organization, user in ((other, desk), (own, stranger)):
        response = client.post(url, {"organization": organization.pk, "user": user.pk})
        assert response.status_code == 200
        assert stranger.username not in response.content.decode()
    assert not Responder.objects.exists()
    assert client.post(url, {"organization": own.pk, "user": desk.pk}).status_code == 302
    assert Responder.objects.get().user == desk


def test_admin_enterprise_and_dwelling_saves_are_checked_by_their_services(page_as, world):
    from tests.api.helpers import credit_code
    from wangge.places.models import Dwelling
    from wangge.places.services import enterprise_create

    lon, lat = centre_of(GRID_A)
    enterprise = enterprise_create(name="小店", credit_code=credit_code(7), address="路2号",
                                   longitude=lon, latitude=lat, by=SYSTEM)
    client = page_as(make_user(Role.COMMUNITY_STAFF, COMMUNITY_1))
    form = {"name": "小店", "credit_code": enterprise.credit_code, "industry": "",
            "contact_phone": "12345", "address": "路2号", "longitude": lon, "latitude": lat,
            "division_code": "", "reason": "补电话"}
    url = f"/admin/places/enterprise/{enterprise.pk}/change/"
    response = client.post(url, form)
    assert response.status_code == 200
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == ""
    assert client.post(url, {**form, "contact_phone": "13900001234"}).status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.contact_phone == "13900001234"

    building = make_building(GRID_A, floors=6)
    form = {"building": building.pk, "unit": 1, "floor": 9, "room": "901", "reason": "新增"}
    response = client.post("/admin/places/dwelling/add/", form)
    assert response.status_code == 200
    assert "floors 1 to 6" in response.content.decode()
    assert client.post("/admin/places/dwelling/add/", {**form, "floor": 5}).status_code == 302
    assert Dwelling.objects.get(building=building, room="901").grid_code == GRID_A
