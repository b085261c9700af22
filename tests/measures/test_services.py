"""Lawful measures: the kinds, every refusal of an incomplete measure, approval a level above,
the states and their steps, extension, lifting, appeals, and notifications."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import GRID_C, SYSTEM, make_user
from wangge.foundation.permissions import Role
from wangge.measures.models import (
    AppealState,
    LegalBasis,
    MeasureKind,
    MeasureState,
    StepKind,
)
from wangge.measures.services import (
    appeal_answer,
    appeal_file,
    measure_approve,
    measure_extend,
    measure_lift,
    measure_propose,
    measure_refuse,
    measure_submit,
    measure_update,
)
from wangge.notifications.models import Notification

PERSON_ACTOR = SYSTEM


def test_the_kinds_of_measure_and_no_door_is_sealed():
    assert set(MeasureKind.values) == {"home_monitoring", "home_isolation",
                                       "central_isolation", "building_control"}
    words = " ".join(str(label).lower() for label in MeasureKind.labels)
    assert "seal" not in words
    assert "lock" not in words


def test_legal_bases_are_seeded_with_real_articles(db):
    articles = {(basis.law, basis.article) for basis in LegalBasis.objects.all()}
    law = "《中华人民共和国传染病防治法》（2013年修正）"
    assert (law, "第三十九条") in articles
    assert (law, "第四十一条") in articles
    assert any("突发事件应对法" in law for law, _article in articles)
    assert all(set(basis.kinds) <= set(MeasureKind.values) for basis in LegalBasis.objects.all())


def _draft(world, **overrides):
    return measure_propose(kind="home_monitoring", person=world.person, by=world.community,
                           **world.complete(**overrides))


# Each field a measure cannot become active without, emptied in turn: the refusal names it.
MISSING = {
    "cause": {"cause": ""},
    "legal_basis": {"legal_basis": None},
    "authority": {"authority": None},
    "starts_on": {"starts_on": None},
    "ends_on": {"ends_on": None},
    "responsible": {"responsible": None},
    "notified_at": {"notified_at": None},
    "food": {"food": ""},
    "medicine": {"medicine": " "},
    "dependants_care": {"dependants_care": ""},
    "appeal_channel": {"appeal_channel": ""},
}


@pytest.mark.parametrize("field", MISSING)
def test_an_incomplete_measure_is_refused_naming_the_missing_field(world, field):
    measure = _draft(world, **MISSING[field])
    with pytest.raises(ValidationError) as refused:
        measure_submit(measure=measure, by=world.community)
    assert set(refused.value.message_dict) == {field}
    measure.refresh_from_db()
    assert measure.state == MeasureState.DRAFT


def test_a_complete_measure_is_not_refused(world):
    measure = _draft(world)
    measure_submit(measure=measure, by=world.community)
    assert measure.state == MeasureState.PENDING


def test_wrong_values_are_refused_naming_the_field(world):
    today = timezone.localdate()
    wrong = {
        "ends_on": {"ends_on": today + datetime.timedelta(days=14)},  # 15 days: over 14
        "legal_basis": {"legal_basis": LegalBasis.objects.get(article="第四十二条")},
        "authority": {"authority": world.no_power},
        # Someone who does not answer for grid A.
        "responsible": {"responsible": make_user(Role.GRID_WORKER, GRID_C)},
        "notified_at": {"notified_at": timezone.now() + datetime.timedelta(days=1)},
    }
    for field, values in wrong.items():
        measure = _draft(world, **values)
        with pytest.raises(ValidationError) as refused:
            measure_submit(measure=measure, by=world.community)
        assert field in refused.value.message_dict, (field, refused.value.message_dict)


def test_a_basis_no_longer_in_force_and_a_power_for_another_kind_are_refused(world):
    measure = measure_propose(kind="home_isolation", person=world.person, by=world.community,
                              **world.complete(authority=world.community_station))
    with pytest.raises(ValidationError) as refused:
        measure_submit(measure=measure, by=world.community)
    assert set(refused.value.message_dict) == {"authority"}
    world.basis.active = False
    world.basis.save()
    with pytest.raises(ValidationError) as refused:
        measure_submit(measure=_draft(world), by=world.community)
    assert set(refused.value.message_dict) == {"legal_basis"}


def test_a_person_measure_needs_a_person_and_a_building_measure_a_building(world):
    with pytest.raises(ValidationError) as refused:
        measure_propose(kind="home_monitoring", building=world.building, by=world.community)
    assert "person" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        measure_propose(kind="building_control", person=world.person, by=world.community)
    assert "building" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        measure_propose(kind="sealed_door", person=world.person, by=world.community)
    assert "kind" in refused.value.message_dict
    today = timezone.localdate()
    control = measure_propose(kind="building_control", building=world.building,
                              by=world.community, submit=True, **world.complete(
                                  legal_basis=LegalBasis.objects.get(article="第四十一条"),
                                  ends_on=today + datetime.timedelta(days=6)))
    assert control.state == MeasureState.PENDING
    assert control.grid_code == world.building.grid_code


def test_role_and_scope(world):
    with pytest.raises(PermissionDenied):
        _draft_by(world, world.worker)
    with pytest.raises(PermissionDenied):
        _draft_by(world, world.volunteer)
    with pytest.raises(ValidationError) as refused:
        measure_propose(kind="home_monitoring", person=world.outsider_person,
                        by=world.community, **world.complete())
    assert "person" in refused.value.message_dict
    with pytest.raises(TypeError):
        measure_propose(kind="home_monitoring", person=world.person, by=None)


def _draft_by(world, user):
    return measure_propose(kind="home_monitoring", person=world.person, by=user,
                           **world.complete())


def test_approval_comes_from_the_level_above_and_never_from_the_proposer(world):
    measure = world.pending()  # decided by the street office: approved by the district
    with pytest.raises(ValidationError) as refused:
        measure_approve(measure=measure, by=world.street, reason="同意")
    assert "approver" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        measure_approve(measure=measure, by=world.community, reason="同意")
    with pytest.raises(PermissionDenied):
        measure_approve(measure=measure, by=SYSTEM, reason="同意")
    own = measure_propose(kind="home_monitoring", person=world.person, by=world.district,
                          submit=True, **world.complete())
    with pytest.raises(ValidationError) as refused:
        measure_approve(measure=own, by=world.district, reason="同意")
    assert "approver" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        measure_approve(measure=measure, by=world.district, reason=" ")
    assert "reason" in refused.value.message_dict
    measure_approve(measure=measure, by=world.district, reason="同意")
    assert measure.state == MeasureState.ACTIVE
    assert measure.approver == world.district
    # Decided by the community's station: the street approves.
    station = world.pending(authority=world.community_station)
    measure_approve(measure=station, by=world.street, reason="同意")
    assert station.state == MeasureState.ACTIVE


def test_approval_checks_again_what_may_have_changed(world):
    measure = world.pending()
    world.basis.active = False
    world.basis.save()
    with pytest.raises(ValidationError) as refused:
        measure_approve(measure=measure, by=world.district, reason="同意")
    assert set(refused.value.message_dict) == {"legal_basis"}


def test_a_refused_approval_lifts_it_never_active(world):
    measure = world.pending()
    measure_refuse(measure=measure, by=world.district, reason="依据不足")
    measure.refresh_from_db()
    assert measure.state == MeasureState.REFUSED
    assert measure.activated_at is None
    assert measure.closed_at is not None
    with pytest.raises(ValidationError):
        measure_approve(measure=measure, by=world.district, reason="同意")


def test_every_step_is_kept_with_who_and_why(world):
    measure = _draft(world, cause="", food="")
    measure_update(measure=measure, by=world.community, reason="补充原因", cause="密切接触者")
    measure_update(measure=measure, by=world.community, reason="补充保障", food="代购")
    measure_submit(measure=measure, by=world.community)
    measure_approve(measure=measure, by=world.district, reason="同意")
    measure_lift(measure=measure, by=world.community, reason="核酸阴性，提前解除")
    steps = list(measure.steps.values_list("kind", "actor__username", "reason"))
    assert [kind for kind, _user, _why in steps] == [
        StepKind.PROPOSED, StepKind.CHANGED, StepKind.CHANGED, StepKind.SUBMITTED,
        StepKind.APPROVED, StepKind.LIFTED]
    assert steps[-1] == (StepKind.LIFTED, "community-1", "核酸阴性，提前解除")
    assert steps[-2][1:] == ("district", "同意")
    history = list(measure.history.order_by("history_date").values_list(
        "state", "history_user__username"))
    assert history[-1] == (MeasureState.LIFTED, "community-1")
    assert (MeasureState.ACTIVE, "district") in history


def test_a_draft_alone_can_be_changed(world):
    measure = world.pending()
    with pytest.raises(ValidationError) as refused:
        measure_update(measure=measure, by=world.community, reason="改", food="x")
    assert "state" in refused.value.message_dict


def test_an_extension_needs_a_new_approval(world):
    measure = world.pending()
    measure_approve(measure=measure, by=world.district, reason="同意")
    end = measure.ends_on
    with pytest.raises(ValidationError) as refused:
        measure_extend(measure=measure, ends_on=end + datetime.timedelta(days=15),
                       by=world.community, reason="复查阳性")
    assert "ends_on" in refused.value.message_dict
    measure_extend(measure=measure, ends_on=end + datetime.timedelta(days=7),
                   by=world.community, reason="复查阳性")
    measure.refresh_from_db()
    assert measure.ends_on == end
    assert measure.extension_ends_on is not None
    with pytest.raises(ValidationError):  # one waiting at a time
        measure_extend(measure=measure, ends_on=end + datetime.timedelta(days=3),
                       by=world.community, reason="x")
    with pytest.raises(ValidationError):  # not by the street: the district is above
        measure_approve(measure=measure, by=world.street, reason="同意")
    measure_approve(measure=measure, by=world.district, reason="同意延长")
    measure.refresh_from_db()
    assert measure.ends_on == end + datetime.timedelta(days=7)
    assert measure.extension_ends_on is None
    assert measure.state == MeasureState.ACTIVE
    measure_extend(measure=measure, ends_on=measure.ends_on + datetime.timedelta(days=2),
                   by=world.community, reason="再观察")
    measure_refuse(measure=measure, by=world.district, reason="无需延长")
    measure.refresh_from_db()
    assert measure.state == MeasureState.ACTIVE
    assert measure.ends_on == end + datetime.timedelta(days=7)
    assert list(measure.steps.values_list("kind", flat=True))[-4:] == [
        StepKind.EXTENSION_PROPOSED, StepKind.EXTENDED, StepKind.EXTENSION_PROPOSED,
        StepKind.EXTENSION_REFUSED]


def test_those_concerned_are_notified(world):
    measure = world.pending()
    assert Notification.objects.filter(recipient=world.district, kind="measure").exists()
    measure_approve(measure=measure, by=world.district, reason="同意")
    told = Notification.objects.filter(recipient=world.worker, kind="measure")
    assert told.count() == 1
    from wangge.notifications.delivery import describe, link_of

    text = describe(told.get())
    assert "Home health monitoring of 张伟 is active until" in text
    assert link_of(told.get()) == f"/measures/{measure.pk}/"
    measure_lift(measure=measure, by=world.community, reason="解除")
    assert told.count() == 2
    assert "was lifted" in describe(told.first())


def test_an_appeal_reaches_the_deciding_authority_and_is_answered(world, settings):
    settings.WANGGE_MEASURE_APPEAL_DAYS = 3
    measure = world.pending()
    measure_approve(measure=measure, by=world.district, reason="同意")
    person = SYSTEM
    appeal = appeal_file(measure=measure, text="我已完成隔离", contact="13800000000", by=person)
    assert appeal.due_at - appeal.filed_at == datetime.timedelta(days=3)
    # The street office's staff (street officer, health staff) hear of it; the worker too.
    for user in (world.street, world.department, world.worker):
        assert Notification.objects.filter(recipient=user, kind="measure",
                                           wording__contains="appealed").exists(), user
    with pytest.raises(ValidationError):
        appeal_file(measure=measure, text="再次申诉", by=person)
    with pytest.raises(PermissionDenied):  # the community is not the deciding authority
        appeal_answer(appeal=appeal, upheld=True, answer="同意", by=world.community)
    with pytest.raises(ValidationError) as refused:
        appeal_answer(appeal=appeal, upheld=False, answer="", by=world.street)
    assert "answer" in refused.value.message_dict
    appeal_answer(appeal=appeal, upheld=False, answer="仍在观察期内", by=world.street)
    assert appeal.state == AppealState.REJECTED
    second = appeal_file(measure=measure, text="身体无恙", by=person)
    appeal_answer(appeal=second, upheld=True, answer="同意解除", by=world.department)
    measure.refresh_from_db()
    assert measure.state == MeasureState.LIFTED
    assert list(measure.steps.values_list("kind", flat=True))[-3:] == [
        StepKind.APPEALED, StepKind.APPEAL_UPHELD, StepKind.LIFTED]
    with pytest.raises(ValidationError):
        appeal_file(measure=measure, text="x", by=person)


def test_an_appeal_is_bounded(world):
    measure = world.pending()
    with pytest.raises(ValidationError) as refused:
        appeal_file(measure=measure, text="", by=SYSTEM)
    assert "text" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        appeal_file(measure=measure, text="x" * 2001, by=SYSTEM)
    assert "text" in refused.value.message_dict
