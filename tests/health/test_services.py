"""The rules of a check-in: what an answer may say, one row per person and day (a repeat
updates), scope, the test rule, and exactly one event per person and day for a worrying one."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GRID_A
from wangge.events.models import Event
from wangge.health.models import CheckIn, CheckInAlert, CheckInChannel, EnteredBy
from wangge.health.services import (
    NOT_FOUND,
    Entry,
    alert_reasons,
    answer_checked,
    check_in_record,
    check_ins_save,
    today,
)
from wangge.health.signals import risk_inputs_changed


def record(town, person, temperature="36.5", by=None, **answer):
    return check_in_record(person=person, by=by or town.worker,
                           answer=answer_checked(temperature=temperature, **answer),
                           entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE)


def test_an_answer_is_checked_and_normalised():
    answer = answer_checked(temperature=" 36,55 ", symptoms=["fatigue", "cough", "cough"])
    assert answer.temperature == Decimal("36.6")
    assert answer.symptoms == ("cough", "fatigue")  # the list's order, once each
    for temperature in ("", "abc", "NaN", "30", "45.1"):
        with pytest.raises(ValidationError) as refused:
            answer_checked(temperature=temperature)
        assert "temperature" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        answer_checked(temperature="36.5", symptoms=["headache"], test_result="maybe")
    assert set(refused.value.message_dict) == {"symptoms", "test_result"}


def test_what_needs_attention(settings):
    settings.WANGGE_FEVER_CELSIUS = "37.3"
    assert alert_reasons(answer_checked(temperature="37.2")) == []
    assert alert_reasons(answer_checked(temperature="37.3")) == ["fever (37.3 °C)"]
    assert alert_reasons(answer_checked(temperature="36.8", symptoms=["cough"])) == ["Cough"]
    assert alert_reasons(answer_checked(temperature="36.8", test_result="positive")) == [
        "positive test"]
    settings.WANGGE_FEVER_CELSIUS = "38.0"
    assert alert_reasons(answer_checked(temperature="37.5")) == []


def test_a_repeated_check_in_the_same_day_updates_it(town):
    first = record(town, town.head, "36.5")
    assert not first.updated
    again = record(town, town.head, "36.7", symptoms=["fatigue"])
    assert again.updated
    check_in = CheckIn.objects.get(person=town.head)
    assert (check_in.temperature, check_in.symptoms, check_in.revisions) == (
        Decimal("36.7"), ["fatigue"], 2)
    assert check_in.day == today()
    assert check_in.grid_code == GRID_A
    assert check_in.recorder == town.worker
    assert check_in.entered_by == EnteredBy.GRID_WORKER


def test_the_same_person_twice_in_one_list_is_one_check_in(town):
    entries = [Entry(person_id=town.head.pk, answer=answer_checked(temperature=value),
                     entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.API)
               for value in ("36.4", "36.9")]
    outcome = check_ins_save(entries=entries, by=town.department)
    assert [saved.person_id for saved in outcome.saved] == [town.head.pk] * 2
    assert CheckIn.objects.get().temperature == Decimal("36.9")


def test_a_fever_opens_exactly_one_event_per_person_and_day(town):
    record(town, town.head, "38.2")
    record(town, town.head, "38.5", symptoms=["cough"])
    record(town, town.head, "36.6")
    [alert] = CheckInAlert.objects.all()
    event = Event.objects.get()
    assert alert.event == event
    assert alert.person == town.head
    assert alert.day == today()
    assert event.category.code == "health-check-in"
    assert event.category.is_sensitive
    assert event.dwelling == town.flat
    assert event.grid_code == GRID_A
    assert event.priority == "high"
    assert "张伟" in event.description
    assert "fever (38.2 °C)" in event.description
    # Another person, another event; a positive test is urgent.
    record(town, town.neighbour, "36.5", symptoms=["smell_taste"])
    assert Event.objects.count() == 2
    assert Event.objects.get(check_in_alert__person=town.neighbour).priority == "normal"


def test_a_normal_answer_opens_no_event(town):
    record(town, town.head, "36.5")
    assert not Event.objects.exists()
    assert not CheckIn.objects.get().alert


def test_a_positive_test_where_one_is_required(town, settings):
    with pytest.raises(ValidationError) as refused:
        record(town, town.head, "36.5", test_result="negative")
    assert refused.value.message_dict == {"entries.0.test_result": [
        "No test result is asked for here."]}
    settings.WANGGE_CHECKIN_TEST_REQUIRED = [GRID_A[:12]]
    with pytest.raises(ValidationError) as refused:
        record(town, town.head, "36.5")
    assert "entries.0.test_result" in refused.value.message_dict
    record(town, town.head, "36.5", test_result="positive")
    assert Event.objects.get().priority == "urgent"


def test_outside_the_jurisdiction_is_the_same_as_unknown(town):
    unknown = Entry(person_id=10**9, answer=answer_checked(temperature="36.5"),
                    entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE)
    outside = Entry(person_id=town.in_c.pk, answer=answer_checked(temperature="36.5"),
                    entered_by=EnteredBy.GRID_WORKER, channel=CheckInChannel.PAGE)
    outcome = check_ins_save(entries=[unknown, outside], by=town.worker)
    assert outcome.refused == {0: {"person": [str(NOT_FOUND)]}, 1: {"person": [str(NOT_FOUND)]}}
    assert not CheckIn.objects.exists()


def test_all_or_nothing_refuses_the_list_and_stores_none(town):
    good = Entry(person_id=town.head.pk, answer=answer_checked(temperature="36.5"),
                 entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.API)
    bad = Entry(person_id=town.in_c.pk, answer=answer_checked(temperature="36.5"),
                entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.API)
    with pytest.raises(ValidationError):
        check_ins_save(entries=[good, bad], by=town.department, partial=False)
    assert not CheckIn.objects.exists()


def test_only_today_or_a_recent_day(town):
    for day in (today() + datetime.timedelta(days=1), today() - datetime.timedelta(days=28)):
        entry = Entry(person_id=town.head.pk, answer=answer_checked(temperature="36.5"),
                      entered_by=EnteredBy.INSTITUTION, channel=CheckInChannel.API, day=day)
        assert "day" in check_ins_save(entries=[entry], by=town.department).refused[0]


def test_roles_that_may_not_record_are_refused(town):
    with pytest.raises(PermissionDenied):
        record(town, town.head, by=town.volunteer)
    with pytest.raises(TypeError):
        check_ins_save(entries=[], by=None)


def test_first_answers_alone_and_replaced_or_worrying_ones_announced(town):
    """A list of first answers that need no attention is inserted by one statement; an answer
    that replaces one of the same day, or needs attention, is stored in a transaction that
    announces its person to the risk grades (signals.risk_inputs_changed)."""
    announced = []

    def heard(sender, *, persons, buildings, venues, **kwargs):
        announced.append(set(persons))

    def entries(*answers):
        return [Entry(person_id=person.pk, answer=answer_checked(temperature=value),
                      entered_by=EnteredBy.SELF, channel=CheckInChannel.POSTER)
                for person, value in answers]

    risk_inputs_changed.connect(heard)
    try:
        first = check_ins_save(entries=entries((town.head, "36.5"), (town.spouse, "36.6")),
                               by=town.worker)
        assert [item.updated for item in first.saved] == [False, False]
        assert announced == []
        mixed = check_ins_save(entries=entries((town.head, "36.8"), (town.child, "36.4")),
                               by=town.worker)
        assert [item.updated for item in mixed.saved] == [True, False]
        assert announced == [{town.head.pk}]
        fever = check_ins_save(entries=entries((town.neighbour, "38.2")), by=town.worker)
        assert fever.saved[0].alert
        assert announced[-1] == {town.neighbour.pk}
    finally:
        risk_inputs_changed.disconnect(heard)
    assert {row.person_id: row.revisions for row in CheckIn.objects.all()} == {
        town.head.pk: 2, town.spouse.pk: 1, town.child.pk: 1, town.neighbour.pk: 1}
    assert CheckIn.objects.get(person=town.head).temperature == Decimal("36.8")
