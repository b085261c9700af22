"""On a frozen clock: a measure ends itself after its end date (`wangge measures-expire`, from
cron) and those concerned are told; measures ended longer ago than the retention period are
reduced to counts by `wangge purge`."""

import datetime
import io

import time_machine
from django.core.management import call_command

from tests.factories import SYSTEM
from wangge.measures.models import (
    Appeal,
    Measure,
    MeasureCount,
    MeasureState,
    MeasureStep,
    StepKind,
)
from wangge.measures.services import (
    appeal_file,
    measure_approve,
    measure_lift,
    measure_refuse,
)
from wangge.notifications.delivery import describe
from wangge.notifications.models import Notification

START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai


def on_day(days: int):
    return time_machine.travel(START + datetime.timedelta(days=days), tick=False)


def expire() -> str:
    out = io.StringIO()
    call_command("measures-expire", stdout=out)
    return out.getvalue()


def test_a_measure_ends_itself_after_its_end_date_and_notifies(world):
    with on_day(0):
        measure = world.pending()  # 14 days: today and 13 more
        measure_approve(measure=measure, by=world.district, reason="同意")
        end = measure.ends_on
    with on_day(13):
        assert expire() == "Ended 0 measures past their end.\n"
    measure.refresh_from_db()
    assert measure.state == MeasureState.ACTIVE
    with on_day(14):
        assert expire() == "Ended 1 measures past their end.\n"
        assert expire() == "Ended 0 measures past their end.\n"
    measure.refresh_from_db()
    assert measure.state == MeasureState.ENDED
    assert measure.closed_at == START + datetime.timedelta(days=14)
    step = measure.steps.last()
    assert step.kind == StepKind.ENDED
    assert step.actor is None
    assert step.actor_name == "wangge measures-expire"
    told = Notification.objects.filter(recipient=world.worker).first()
    assert describe(told) == f"Home health monitoring of 张伟 ended on {end.isoformat()}."


def test_enqueued_for_the_worker(world):
    out = io.StringIO()
    call_command("measures-expire", "--enqueue", stdout=out)
    assert out.getvalue().startswith("Enqueued ")


def test_measures_past_retention_are_reduced_to_counts(world, settings):
    settings.WANGGE_MEASURE_RETENTION_DAYS = 180
    with on_day(0):
        old = world.pending()
        measure_approve(measure=old, by=world.district, reason="同意")
        appeal_file(measure=old, text="申诉", by=SYSTEM)
        measure_lift(measure=old, by=world.community, reason="解除")
        refused = world.pending()
        measure_refuse(measure=refused, by=world.district, reason="不予批准")
    with on_day(100):
        recent = world.pending()
        measure_approve(measure=recent, by=world.district, reason="同意")
        measure_lift(measure=recent, by=world.community, reason="解除")
        active = world.pending()
    out = io.StringIO()
    with on_day(180):
        call_command("purge", stdout=out)
    assert Measure.objects.count() == 4  # not yet: 180 days, not more
    with on_day(181):
        call_command("purge", stdout=out)
    assert "reduced 2 measures ended over 180 days ago to counts" in out.getvalue()
    assert set(Measure.objects.values_list("pk", flat=True)) == {recent.pk, active.pk}
    assert not MeasureStep.objects.filter(measure_id__in=[old.pk, refused.pk]).exists()
    assert not Appeal.objects.exists()
    assert not Measure.history.filter(id__in=[old.pk, refused.pk]).exists()
    count = MeasureCount.objects.get()
    assert (count.grid_code, count.kind, count.month) == (
        world.person.grid_code, "home_monitoring", datetime.date(2026, 3, 1))
    assert (count.measures, count.activated, count.appeals, count.appeals_upheld) == (
        2, 1, 1, 0)
    with on_day(281):
        call_command("purge", stdout=out)
    assert dict(MeasureCount.objects.values_list("month", "measures")) == {
        datetime.date(2026, 3, 1): 2, datetime.date(2026, 6, 1): 1}
    assert Measure.objects.get() == active
