"""An organization's or enterprise's contact phone is masked like a person's phone for the
roles that see phones masked (volunteers, residents, auditors), in the API and the admin."""

import pytest

from tests.api.helpers import credit_code
from tests.factories import DISTRICT, GRID_A, centre_of, make_user
from wangge.foundation import permissions
from wangge.foundation.permissions import Role
from wangge.organizations.models import Organization
from wangge.organizations.services import organization_create
from wangge.places.models import Enterprise
from wangge.places.services import enterprise_create

PHONE, MASKED = "13812345678", "138****5678"
SEES_MASKED = [Role.VOLUNTEER, Role.RESIDENT, Role.AUDITOR]
SEES_FULL = [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_ADMIN,
             Role.DEPARTMENT_STAFF]


@pytest.fixture
def contacts(world):
    admin = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    lon, lat = centre_of(GRID_A)
    organization = organization_create(name="幸福里物业", kind="property_company",
                                       grid_code=GRID_A, contact_phone=PHONE, by=admin)
    enterprise = enterprise_create(name="幸福超市", credit_code=credit_code(1), address="路1号",
                                   longitude=lon, latitude=lat, contact_phone=PHONE, by=admin)
    return organization, enterprise


@pytest.mark.parametrize("role", SEES_MASKED + SEES_FULL)
def test_the_api_masks_contact_phones_per_role(contacts, api_as, role):
    organization, enterprise = contacts
    api = api_as(make_user(role, GRID_A if role != Role.STREET_OFFICER else "420102001000"))
    expected = MASKED if role in SEES_MASKED else PHONE
    for path, pk in [("/organizations", organization.pk), ("/enterprises", enterprise.pk)]:
        (listed,) = api.get(path).json()["items"]
        assert listed["contact_phone"] == expected
        assert api.get(f"{path}/{pk}").json()["contact_phone"] == expected


@pytest.fixture
def officer_sees_phones_masked(monkeypatch):
    """No role that uses the admin sees phones masked today; a street officer who did."""
    monkeypatch.setitem(permissions.UNMASKED_FIELDS, Role.STREET_OFFICER, set())
    return make_user(Role.STREET_OFFICER, "420102001000")


@pytest.mark.parametrize(("model", "path"), [(Organization, "organizations/organization"),
                                             (Enterprise, "places/enterprise")])
def test_the_admin_shows_a_masked_phone_read_only(contacts, client, officer_sees_phones_masked,
                                                  model, path):
    record = model.objects.get()
    client.force_login(officer_sees_phones_masked)
    page = client.get(f"/admin/{path}/{record.pk}/change/").content.decode()
    assert MASKED in page
    assert PHONE not in page
    assert 'name="contact_phone"' not in page


@pytest.mark.parametrize("path", ["organizations/organization", "places/enterprise"])
def test_the_admin_shows_the_phone_to_who_may_see_it(contacts, client, path):
    client.force_login(make_user(Role.DISTRICT_ADMIN, DISTRICT))
    record = (Organization if path.startswith("org") else Enterprise).objects.get()
    page = client.get(f"/admin/{path}/{record.pk}/change/").content.decode()
    assert f'value="{PHONE}"' in page
