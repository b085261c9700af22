"""Linkage in the platform: candidates found among Person rows and queued, safe pairs merged
automatically (never two valid IDs), merge and unmerge restoring both records exactly,
scope and permissions."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict

from tests.factories import (
    COMMUNITY_1,
    DISTRICT,
    GRID_A,
    GRID_B,
    GRID_C,
    STREET_1,
    SYSTEM,
    make_dwelling,
    make_person,
    make_user,
    resident_id,
)
from tests.linkage.registry import background, doubtful_pair, duplicate_pair
from wangge.foundation.permissions import ROLE_ACTIONS, Action, Role
from wangge.linkage.models import MatchCandidate, Merge
from wangge.linkage.selectors import candidates_pending, candidates_visible_to, merges_visible_to
from wangge.linkage.services import (
    candidate_accept,
    candidate_reject,
    candidates_find,
    merge_refusal,
    person_merge,
    person_unmerge,
)
from wangge.organizations.models import Membership
from wangge.organizations.services import membership_add, organization_create
from wangge.people.models import Person
from wangge.people.selectors import (
    person_history,
    persons_search,
    persons_visible_to,
    population_by_grid,
)
from wangge.people.services import household_add_member, household_create, person_update


@pytest.fixture
def reviewer(world):
    return make_user(Role.COMMUNITY_STAFF, COMMUNITY_1)


@pytest.fixture
def registry(world):
    """Grid A: 300 generated residents, a certain duplicate and a doubtful pair."""
    background(GRID_A)
    return {"duplicate": duplicate_pair(GRID_A), "doubtful": doubtful_pair(GRID_A)}


def test_certain_pairs_merge_and_doubtful_ones_wait_for_review(registry, reviewer):
    with_id, without_id = registry["duplicate"]
    first, second = registry["doubtful"]

    result = candidates_find(scope=COMMUNITY_1, by=reviewer)

    assert (result.persons, result.merged, result.queued) == (304, 1, 1)
    merge = Merge.objects.get()
    assert (merge.kept, merge.absorbed, merge.automatic) == (with_id, without_id, True)
    assert "0.99" in merge.reason
    assert "link-persons" in merge.reason
    assert merge.candidate.status == MatchCandidate.Status.ACCEPTED
    assert merge.candidate.reviewed_by is None  # decided by linkage, with its evidence
    assert merge.candidate.probability >= 0.9
    with_id.refresh_from_db()
    assert with_id.occupation == "司机"  # filled from the absorbed record
    pending = MatchCandidate.objects.get(status=MatchCandidate.Status.PENDING)
    assert (pending.left, pending.right) == (first, second)
    assert 0.5 <= pending.probability < 0.9
    rows = {row["comparison"]: row for row in pending.evidence["rows"]}
    assert rows["name"]["level"] == "exact"
    assert rows["birth"]["level"] == "one part differs"
    assert rows["birth"]["left"] == {"birth": "19841102"}
    assert rows["id"]["level"] == "—"  # one side has no ID: not compared
    assert rows["home"]["left"]["phone1"] == "13722223333"
    assert pending.evidence["rule"] == ""

    again = candidates_find(scope=COMMUNITY_1, by=reviewer)
    assert (again.persons, again.merged, again.queued) == (303, 0, 1)
    assert MatchCandidate.objects.count() == 2  # the pending pair refreshed, not queued twice


def test_a_rejected_pair_is_never_proposed_again(registry, reviewer):
    candidates_find(scope=COMMUNITY_1, by=reviewer, auto_merge=False)
    pairs = list(candidates_pending(reviewer))
    assert len(pairs) == 2
    for pair in pairs:
        candidate_reject(candidate=pair, by=reviewer, reason="两个人")
    result = candidates_find(scope=COMMUNITY_1, by=reviewer)
    assert (result.merged, result.queued, result.decided) == (0, 0, 2)
    assert not candidates_pending(reviewer).exists()


def test_two_valid_resident_ids_are_never_merged(world, reviewer):
    """Twins: the same flat, phone, birth date and surname, two valid IDs."""
    background(GRID_A)
    dwelling = make_dwelling(GRID_A, room="601")
    born = datetime.date(2010, 6, 6)
    twins = [make_person(GRID_A, name=name, id_number=resident_id(born), phone="13900009999",
                         dwelling=dwelling) for name in ("周子涵", "周子函")]

    result = candidates_find(scope=GRID_A, by=reviewer)

    assert result.merged == 0
    assert not Merge.objects.exists()
    assert not MatchCandidate.objects.filter(left__in=twins).exists()
    assert "two different resident IDs" in merge_refusal(*twins)
    with pytest.raises(ValidationError, match="two different resident IDs"):
        person_merge(keep=twins[0], absorb=twins[1], by=reviewer, reason="同一人")


def test_automatic_merges_refuse_conflicting_birth_dates_that_a_reviewer_may_accept(
        world, reviewer):
    first = make_person(GRID_A, name="欧阳秀梅", id_number="",
                        birth_date=datetime.date(1984, 11, 2), sex="F")
    second = make_person(GRID_A, name="欧阳秀梅", id_number="",
                         birth_date=datetime.date(1984, 11, 12), sex="F")
    assert "two different values for birth date" in merge_refusal(first, second,
                                                                  automatic=True)
    assert merge_refusal(first, second) is None
    merge = person_merge(keep=first, absorb=second, by=reviewer, reason="出生日期笔误")
    assert merge.kept.birth_date == datetime.date(1984, 11, 2)


def _stored(person: Person) -> dict:
    return model_to_dict(Person.objects.get(pk=person.pk))


def test_merge_moves_what_belongs_to_the_absorbed_person_and_unmerge_restores_both(
        world, reviewer):
    keep = make_person(GRID_A, name="张建伟", phone="13911112222")
    absorb = make_person(GRID_A, name="张建玮", id_number="", phone="13800001111",
                         occupation="司机", health_status="chronic",
                         vulnerable_tags=["low_income"],
                         dwelling=make_dwelling(GRID_A, room="502"))
    household = household_create(head=absorb, number="H1", by=SYSTEM)
    spouse = make_person(GRID_A, name="李红", dwelling=absorb.dwelling)
    household_add_member(household=household, person=spouse, relationship="spouse", by=SYSTEM)
    club = organization_create(name="志愿队", kind="volunteer_team", grid_code=GRID_A, by=SYSTEM)
    choir = organization_create(name="合唱团", kind="social", grid_code=GRID_A, by=SYSTEM)
    membership = membership_add(organization=club, person=absorb, title="队员", by=SYSTEM)
    both = membership_add(organization=choir, person=absorb, title="团员", by=SYSTEM)
    membership_add(organization=choir, person=keep, title="团长", by=SYSTEM)
    before = {person.pk: _stored(person) for person in (keep, absorb)}
    histories = {person.pk: list(person.history.order_by("history_id").values())
                 for person in (keep, absorb)}

    population = population_by_grid([GRID_A])[GRID_A]
    merge = person_merge(keep=keep, absorb=absorb, by=reviewer, reason="同一人，入户核实")

    keep.refresh_from_db()
    absorb.refresh_from_db()
    household.refresh_from_db()
    # Kept values stay; missing ones are filled; tags joined; the household place is taken.
    assert keep.phone == "13911112222"
    assert (keep.occupation, keep.health_status) == ("司机", "chronic")
    assert keep.vulnerable_tags == ["low_income"]
    assert (keep.household, keep.relationship, household.head) == (household, "head", keep)
    assert keep.dwelling_id == before[keep.pk]["dwelling"]  # it had its own
    assert (absorb.merged_into, absorb.household, absorb.relationship) == (keep, None, "")
    assert Membership.objects.get(pk=membership.pk).person == keep
    assert Membership.objects.get(pk=both.pk).person == absorb  # keep already a member
    assert absorb not in persons_visible_to(reviewer)
    assert not persons_search(reviewer, "张建玮").exists()
    assert population_by_grid([GRID_A])[GRID_A] == population - 1
    assert person_history(reviewer, absorb)[0]["reason"] == (
        f"Merged into record {keep.pk}: 同一人，入户核实")
    assert person_history(reviewer, keep)[0]["reason"] == (
        f"Record {absorb.pk} merged into this one: 同一人，入户核实")

    # A field changed after the merge stays as changed; so does a filled one edited since.
    person_update(person=keep, by=reviewer, reason="换号", phone="13700007777")
    person_update(person=keep, by=reviewer, reason="更正", health_status="serious")

    merge = person_unmerge(merge=merge, by=reviewer, reason="核实为两人")

    assert merge.undone is not None
    assert merge.kept_as_changed == [{"record": "person", "id": keep.pk,
                                      "field": "health_status"}]
    after = {person.pk: _stored(person) for person in (keep, absorb)}
    assert after[absorb.pk] == before[absorb.pk]
    assert after[keep.pk] == {**before[keep.pk], "phone": "13700007777",
                              "health_status": "serious"}
    household.refresh_from_db()
    assert household.head_id == absorb.pk
    assert Membership.objects.get(pk=membership.pk).person_id == absorb.pk
    assert absorb in persons_visible_to(reviewer)
    for person in (keep, absorb):
        history = list(person.history.order_by("history_id").values())
        assert history[:len(histories[person.pk])] == histories[person.pk]  # untouched
        assert history[-1]["history_change_reason"].endswith("核实为两人")
        assert history[-1]["history_user_id"] == reviewer.pk
    with pytest.raises(ValidationError, match="already been undone"):
        person_unmerge(merge=merge, by=reviewer, reason="再来")


def test_an_id_number_moves_with_the_merge_and_back(world, reviewer):
    number = resident_id(datetime.date(1971, 3, 9))
    keep = make_person(GRID_A, name="张建伟", id_number="")
    absorb = make_person(GRID_A, name="张建伟", id_number=number)
    merge = person_merge(keep=keep, absorb=absorb, by=reviewer, reason="保留较早的记录")
    keep.refresh_from_db()
    absorb.refresh_from_db()
    assert (keep.id_number, keep.birth_date, absorb.id_number) == (
        number, datetime.date(1971, 3, 9), "")
    person_unmerge(merge=merge, by=reviewer, reason="误合并")
    keep.refresh_from_db()
    absorb.refresh_from_db()
    assert (keep.id_number, keep.birth_date, absorb.id_number) == ("", None, number)


def test_accepting_a_pair_merges_it_into_the_record_chosen(registry, reviewer):
    candidates_find(scope=COMMUNITY_1, by=reviewer, auto_merge=False)
    first, second = registry["doubtful"]
    pair = candidates_pending(reviewer).get(left=first)
    with pytest.raises(ValidationError, match="Keep one of the two"):
        candidate_accept(candidate=pair, by=reviewer, reason="同一人", keep_id=1)
    # Keeping the record without an ID would give it an ID that contradicts its birth date.
    with pytest.raises(ValidationError, match="contradicts the ID number"):
        candidate_accept(candidate=pair, by=reviewer, reason="同一人", keep_id=second.pk)
    first.refresh_from_db()
    assert (first.merged_into, first.id_number) == (None, pair.left.id_number)
    merge = candidate_accept(candidate=pair, by=reviewer, reason="同一人", keep_id=first.pk)
    assert (merge.kept, merge.absorbed, merge.automatic, merge.by) == (
        first, second, False, reviewer)
    pair.refresh_from_db()
    assert (pair.status, pair.reviewed_by, pair.review_reason) == ("accepted", reviewer, "同一人")
    with pytest.raises(ValidationError, match="already been decided"):
        candidate_reject(candidate=pair, by=reviewer, reason="改主意")
    person_unmerge(merge=merge, by=reviewer, reason="核实为两人")
    pair.refresh_from_db()
    assert pair.status == MatchCandidate.Status.REJECTED  # never merged again automatically


def test_a_reviewer_sees_only_pairs_with_both_persons_in_their_jurisdiction(world):
    background(GRID_A)
    inside = doubtful_pair(GRID_A)
    near = make_person(GRID_B, name="欧阳秀梅", id_number="", sex="F",
                       birth_date=datetime.date(1984, 11, 12), phone="13722223333")
    # The same doubt across the street boundary: grid A and grid C.
    far = make_person(GRID_C, name="欧阳秀梅", id_number="", sex="F",
                      birth_date=datetime.date(1984, 11, 12), phone="13722223333")
    candidates_find(scope=DISTRICT, by=SYSTEM, auto_merge=False)
    across = MatchCandidate.objects.get(left=inside[0], right=far)
    district = make_user(Role.DISTRICT_ADMIN, DISTRICT)
    street = make_user(Role.STREET_OFFICER, STREET_1)
    grid_a = make_user(Role.COMMUNITY_STAFF, GRID_A)
    assert across in candidates_visible_to(district)
    assert across not in candidates_visible_to(street)
    assert MatchCandidate.objects.filter(right=near).exists()
    assert set(candidates_visible_to(grid_a)) == set(MatchCandidate.objects.filter(
        left__grid_code=GRID_A, right__grid_code=GRID_A))
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        person_merge(keep=inside[0], absorb=far, by=street, reason="同一人")
    merge = person_merge(keep=inside[0], absorb=far, by=district, reason="同一人")
    assert merge not in merges_visible_to(street)
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        person_unmerge(merge=merge, by=street, reason="误合并")


@pytest.mark.parametrize("role", Role.values)
def test_only_roles_that_review_may_merge(world, role):
    user = make_user(role, COMMUNITY_1)
    first, second = doubtful_pair(GRID_A)
    may = Action.REVIEW_MATCHES in ROLE_ACTIONS[role]
    assert may == (role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_ADMIN))
    if may:
        person_merge(keep=first, absorb=second, by=user, reason="同一人")
        return
    assert not candidates_visible_to(user).exists()
    with pytest.raises(PermissionDenied):
        person_merge(keep=first, absorb=second, by=user, reason="同一人")
    with pytest.raises(PermissionDenied):
        candidates_find(scope=GRID_A, by=user)


def test_a_merge_needs_a_reason(world, reviewer):
    first, second = doubtful_pair(GRID_A)
    with pytest.raises(ValidationError) as refused:
        person_merge(keep=first, absorb=second, by=reviewer, reason=" ")
    assert "reason" in refused.value.message_dict


def test_link_persons_prints_its_counts(registry):
    out = io.StringIO()
    call_command("link-persons", "--scope", COMMUNITY_1, "--lang", "en", stdout=out)
    assert out.getvalue().strip() == (
        "304 persons, 2 pairs scored at 0.5 or above: 1 merged, 1 waiting for review, "
        "0 decided before.")


def test_a_long_reason_is_kept_whole_on_the_merge_and_in_the_history(world, reviewer):
    first, second = doubtful_pair(GRID_A)
    reason = "经入户核实与电话确认" * 20  # 200 characters, the most a form or the API takes
    merge = person_merge(keep=first, absorb=second, by=reviewer, reason=reason)
    assert merge.reason == reason
    assert person_history(reviewer, second)[0]["reason"].endswith(reason)


def test_a_registry_without_any_address_is_linked_on_the_rest(world, reviewer):
    """No person has a dwelling: the home comparison has no values at all."""
    background(GRID_A)
    born = datetime.date(1971, 3, 9)
    Person.objects.bulk_create([
        Person(name="张建伟", id_number=resident_id(born), sex="M", birth_date=born,
               phone="13911112222", grid_code=GRID_A),
        Person(name="張建偉", sex="M", birth_date=born, phone="13911112222", grid_code=GRID_A),
    ])
    result = candidates_find(scope=GRID_A, by=reviewer)
    assert (result.persons, result.merged) == (302, 1)
