"""The real writers announce what they touched, and the grades follow in their transaction:
a check-in with a fever (health), a case recorded (epidemic)."""

from decimal import Decimal

from wangge.health.services import Answer, Entry, check_ins_save
from wangge.risk.models import Grade, Level


def test_a_fever_check_in_grades_its_person_and_a_normal_answer_lifts_it(world):
    person = world.people["annex"][0]

    def answer(temperature: str) -> None:
        check_ins_save(entries=[Entry(person_id=person.pk,
                                      answer=Answer(temperature=Decimal(temperature)),
                                      entered_by="grid_worker", channel="page")],
                       by=world.worker)

    answer("38.6")
    grade = Grade.objects.get(kind="person", key=str(person.pk))
    assert grade.level == Level.MEDIUM
    assert grade.reasons[0]["if"] == "check_in_alert"
    assert Grade.objects.get(kind="building", key=str(world.annex.pk)).level == Level.MEDIUM
    answer("36.6")  # the same day, answered again
    assert not Grade.objects.exists()


def test_a_case_recorded_through_the_epidemic_service_grades_its_building(world):
    from django.utils import timezone

    from wangge.epidemic.services import case_record

    person = world.people["corner"][1]
    case_record(person=person, status="confirmed", source="hospital",
                reported_on=timezone.localdate(), confirmed_on=timezone.localdate(),
                by=world.district)
    assert Grade.objects.get(kind="building", key=str(world.corner.pk)).level == Level.HIGH
