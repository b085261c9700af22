"""Venue visits are personal location data: `wangge purge` deletes those that ended more than
WANGGE_VISIT_RETENTION_DAYS ago, but those an exposure rests on (on a frozen clock)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from wangge.epidemic.models import VenueVisit
from wangge.epidemic.services import case_record, exposures_trace, visit_record

START = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai


def on_day(days: float):
    return time_machine.travel(START + datetime.timedelta(days=days), tick=False)


def purge() -> str:
    out = io.StringIO()
    call_command("purge", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("retention", [28, 7])
def test_visits_past_retention_are_deleted_unless_an_exposure_rests_on_them(
        world_town, settings, retention):
    settings.WANGGE_VISIT_RETENTION_DAYS = retention
    town, venue = world_town.town, world_town.venue
    hour = datetime.timedelta(hours=1)
    with on_day(0.5):  # that evening
        # Local 07:00–08:00 the head; 07:30–08:30 钱七, who shares the window (an exposure
        # will rest on this visit); 10:00–11:00 王芳, alone.
        arrived = START - 2 * hour
        for person, start in ((town.head, arrived), (town.in_b, arrived + hour / 2),
                              (town.neighbour, arrived + 3 * hour)):
            visit_record(venue=venue, person=person, arrived=start, left=start + hour,
                         by=town.district)
    with on_day(1):
        case = case_record(person=town.head, status="confirmed", source="hospital",
                           reported_on=datetime.date(2026, 3, 3),
                           confirmed_on=datetime.date(2026, 3, 3), by=town.worker)
        exposures_trace(case=case, by=town.worker)
    with on_day(retention - 1 / 16):  # 07:30 local: no visit ended that long ago yet
        assert f"deleted 0 venue visits older than {retention} days" in purge()
        assert VenueVisit.objects.count() == 3
    with on_day(retention):  # 09:00: the head's visit ended 29 days ago, 钱七's is kept
        assert f"deleted 1 venue visits older than {retention} days" in purge()
        assert set(VenueVisit.objects.values_list("person__name", flat=True)) == {"钱七", "王芳"}
    with on_day(retention + 1):
        assert f"deleted 1 venue visits older than {retention} days" in purge()
        assert set(VenueVisit.objects.values_list("person__name", flat=True)) == {"钱七"}
