"""The demo district's care visits: everyone a visit rule applies to was last visited at some
point of their interval, most on time and about one in eight a few days late, so the grid
workers' lists of visits due and the cockpit's on-time share look like a district where
visiting has gone on for a while (with no visit at all, everyone would be due since the day
their circumstance began, years ago). Bulk rows with their history, as the residents are.
"""

import datetime
import random

from django.utils import timezone

from wangge.bulk import assign_keys, insert_with_history
from wangge.care.models import CareVisit, Outcome
from wangge.care.selectors import care_rules
from wangge.care.services import rule_members
from wangge.foundation.codes import prefix_range
from wangge.populations.models import Circumstance

from . import city

LATE_SHARE = 0.12  # of the persons under a rule, last visited a few days past the interval


def create_visits(rng: random.Random) -> int:
    """One last visit per person under each rule (the tightest rule wins, as in the list of
    visits due); returns how many."""
    now = timezone.now()
    last: dict[int, CareVisit] = {}
    for rule in sorted(care_rules(), key=lambda rule: -rule.interval_days):
        members = Circumstance.objects.filter(
            rule_members(rule), prefix_range("person__grid_code", city.AREA_CODE))
        for person_id, grid_code in members.values_list("person_id", "person__grid_code"):
            late = rng.random() < LATE_SHARE
            days_ago = (rule.interval_days + rng.randint(1, 10) if late
                        else rng.randint(0, max(rule.interval_days - 1, 0)))
            last[person_id] = CareVisit(
                person_id=person_id, rule=rule, grid_code=grid_code, outcome=Outcome.WELL,
                visited_at=now - datetime.timedelta(days=days_ago, hours=rng.randint(0, 8)))
    visits = list(last.values())
    assign_keys(visits)
    insert_with_history(CareVisit, visits, reason=city.REASON)
    return len(visits)


def delete_visits() -> None:
    """The demo district's visits, before its persons are deleted."""
    in_area = prefix_range("grid_code", city.AREA_CODE)
    CareVisit.history.model.objects.filter(in_area).delete()
    CareVisit.objects.filter(in_area).delete()
