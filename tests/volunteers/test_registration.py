"""Reporting in (报到): a resident's own and by staff, confirmed or declined by the community
with history; a party member's report-in (双报到) seen by the community and by the side of
their party organization, and by nobody else."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import COMMUNITY_1, COMMUNITY_2, GRID_A, STREET_1, make_person, make_user
from wangge.foundation.permissions import Role
from wangge.organizations.services import organization_create
from wangge.volunteers.models import RegistrationState
from wangge.volunteers.selectors import registrations_decided_by, registrations_visible_to
from wangge.volunteers.services import (
    registration_decide,
    registration_register,
    registration_report_in,
    registration_withdraw,
)

from .conftest import SYSTEM


def test_a_resident_reports_in_to_their_community(town):
    registration = registration_report_in(by=town.ann_user, skills=["medical", "driving"],
                                          skills_text="  会 手语 ", days=[5, 6, 5],
                                          times="周末上午")
    assert registration.code == COMMUNITY_1
    assert registration.state == RegistrationState.PENDING
    assert registration.skills == ["driving", "medical"]
    assert registration.days == [5, 6]
    assert registration.skills_text == "会 手语"
    again = registration_report_in(by=town.ann_user, skills=["repair"])
    assert again.pk == registration.pk
    assert again.skills == ["repair"]


@pytest.mark.parametrize(("details", "field"), [
    ({"as_volunteer": False}, "as_volunteer"),
    ({"as_party_member": True}, "party_organization"),
    ({"skills": ["flying"]}, "skills"),
    ({"skills_text": "x" * 201}, "skills_text"),
    ({"days": [7]}, "days"),
    ({"times": "x" * 101}, "times"),
])
def test_a_report_in_is_bounded(town, details, field):
    with pytest.raises(ValidationError) as refused:
        registration_report_in(by=town.ann_user, **details)
    assert field in refused.value.message_dict


def test_a_party_member_names_a_party_organization(town):
    team = organization_create(name="志愿队", kind="volunteer_team", grid_code=GRID_A, by=SYSTEM)
    with pytest.raises(ValidationError) as refused:
        registration_report_in(by=town.bob_user, as_party_member=True, party_organization=team)
    assert "party_organization" in refused.value.message_dict


def test_staff_only_report_in_for_themselves(town):
    with pytest.raises(PermissionDenied):
        registration_report_in(by=town.staff_1)


def test_the_community_confirms_or_declines_with_history(town):
    registration = registration_report_in(by=town.ann_user)
    with pytest.raises(ValidationError) as refused:
        registration_decide(by=town.staff_1, registration=registration, confirm=False)
    assert "note" in refused.value.message_dict
    registration_decide(by=town.staff_1, registration=registration, confirm=False,
                        note="请先参加培训")
    registration.refresh_from_db()
    assert registration.state == RegistrationState.DECLINED
    assert registration.decided_by == town.staff_1
    # Reporting in again waits for the community again.
    registration = registration_report_in(by=town.ann_user)
    assert registration.state == RegistrationState.PENDING
    registration_decide(by=town.staff_1, registration=registration, confirm=True)
    reasons = list(registration.history.order_by("history_id")
                   .values_list("state", "history_change_reason"))
    assert reasons == [("pending", "reported in"), ("declined", "请先参加培训"),
                       ("pending", "reported in again"), ("confirmed", "confirmed")]


def test_staff_of_another_community_may_not_decide(town):
    registration = registration_report_in(by=town.ann_user)
    for outsider in (town.staff_2, town.street_2):
        with pytest.raises(PermissionDenied):
            registration_decide(by=outsider, registration=registration, confirm=True)
    with pytest.raises(PermissionDenied):  # grid workers do not manage volunteers
        registration_decide(by=town.worker_a, registration=registration, confirm=True)


def test_staff_register_a_person_on_their_behalf(town):
    person = make_person(GRID_A, name="赵六")
    registration = registration_register(by=town.staff_1, person=person, skills=["legal"])
    assert registration.state == RegistrationState.CONFIRMED
    assert registration.registered_by == town.staff_1
    with pytest.raises(ValidationError):  # not in community 2's registry
        registration_register(by=town.staff_2, person=person)


def test_a_resident_withdraws(town):
    registration = registration_report_in(by=town.ann_user)
    registration_withdraw(by=town.ann_user)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.WITHDRAWN


def test_a_party_members_report_in_is_seen_by_both_sides_and_nobody_else(town):
    """Bob lives in community 1 (street 1); his party organization is registered at street
    2. The community's staff and street see his report-in, and so does street 2 (the
    organization's side); community 2's staff, whose jurisdiction holds neither, do not."""
    bob = registration_report_in(by=town.bob_user, as_party_member=True,
                                 party_organization=town.party)
    ann = registration_report_in(by=town.ann_user)
    assert set(registrations_visible_to(town.staff_1)) == {bob, ann}
    assert set(registrations_visible_to(town.street_1)) == {bob, ann}
    assert set(registrations_visible_to(town.street_2)) == {bob}
    assert set(registrations_visible_to(town.staff_2)) == set()
    assert set(registrations_visible_to(town.worker_a)) == set()
    assert set(registrations_visible_to(town.ann_user)) == set()
    # The organization's side sees it; only the community decides.
    assert set(registrations_decided_by(town.street_2)) == set()
    with pytest.raises(PermissionDenied):
        registration_decide(by=town.street_2, registration=bob, confirm=True)
    # A volunteer who is not a party member is never shown to the organization's side.
    bob = registration_report_in(by=town.bob_user, as_party_member=False)
    assert set(registrations_visible_to(town.street_2)) == set()


def test_a_district_sees_every_report_in_of_its_district(town):
    district = make_user(Role.DISTRICT_ADMIN, "420102000000")
    registration_report_in(by=town.cai_user)
    assert registrations_visible_to(district).get().code == COMMUNITY_2
    assert STREET_1  # community 1's street: nothing reported there yet
