"""Readiness: what a plan's level requires compared with what is there, the one comparison
the record of an emergency (what is short) and a drill (its checks, score and gaps) share.

Holdings are read in the plan's area (its community, street or district: the affected grids
and the jurisdiction they belong to) from the resource database: shelters' free places
(capacity less occupancy) and materials by category, counting only lines not expired on the
day and, when a rule names a unit, in that unit (boxes are not litres). These are totals,
never a person's data, so they need no role of their own beyond the page that shows them.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from wangge.foundation.codes import scope_prefix
from wangge.notifications.delivery import INBOX, wanted_kinds
from wangge.notifications.models import CALLOUT, NotificationPreference
from wangge.people.models import Person
from wangge.resources.models import Material, MaterialCategory, Shelter

from .models import Drill, Team, TeamKind, TeamMember

SHELTER_PLACES = "shelter_places"
HELPERS = "helpers"
# Teams whose members help residents who cannot leave on their own.
HELPER_TEAMS = (TeamKind.RESCUE, TeamKind.VOLUNTEER)


@dataclass(frozen=True)
class Check:
    """One comparison: ``key`` names it across drills (``shelter_places``,
    ``material:water``, ``helpers``, ``team:<id>``)."""

    key: str
    required: float
    available: float
    unit: str = ""

    @property
    def short(self) -> float:
        return max(0.0, self.required - self.available)

    @property
    def coverage(self) -> float:
        """The share of the requirement met, 0 to 1 (1 when nothing is required)."""
        return 1.0 if self.required <= 0 else min(1.0, self.available / self.required)

    def as_data(self) -> dict[str, Any]:
        return {"key": self.key, "required": self.required, "available": self.available,
                "unit": self.unit}


def requirements(levels: dict[str, Any], level: str, population: int) -> list[dict[str, Any]]:
    """What the level's rules ask for ``population`` affected residents, rounded up."""
    return [{"category": rule["category"], "unit": rule["unit"],
             "quantity": math.ceil(rule["per_person"] * population * rule["days"] - 1e-9)}
            for rule in levels[level]["resources"]]


def _plain(value: Decimal | int | None) -> float:
    number = float(value or 0)
    return float(int(number)) if number == int(number) else round(number, 2)


def holdings_compared(needs: Iterable[dict[str, Any]], area: str, on: datetime.date
                      ) -> list[Check]:
    """Each requirement (``{"category", "quantity", "unit"}``, as ``services.requirements``
    gives them) against the holdings filed under the scope prefix ``area`` on ``on``."""
    needs = list(needs)
    places = 0.0
    if any(need["category"] == SHELTER_PLACES for need in needs):
        free = Shelter.objects.in_scope([area]).aggregate(
            free=Sum(F("capacity") - F("occupancy")))["free"]
        places = _plain(free)
    stocks: dict[tuple[str, str], float] = {}
    codes = {need["category"] for need in needs} - {SHELTER_PLACES}
    if codes:
        rows = Material.objects.in_scope([area]).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on),
            category__code__in=codes).values("category__code", "unit").annotate(
            total=Sum("quantity"))
        for row in rows:
            stocks[row["category__code"], row["unit"]] = _plain(row["total"])
    checks = []
    for need in needs:
        category, unit = need["category"], need.get("unit", "")
        if category == SHELTER_PLACES:
            available = places
            key = SHELTER_PLACES
        else:
            available = sum(total for (code, stock_unit), total in stocks.items()
                            if code == category and (not unit or stock_unit == unit))
            key = f"material:{category}"
        checks.append(Check(key, float(need["quantity"]), available, unit))
    return checks


def _reachable(member: TeamMember, preferences: dict[int, NotificationPreference],
               on: datetime.date) -> bool:
    """Active, on duty on ``on``, and a call would reach them (calls kept in the inbox: the
    channel every other one copies)."""
    preference = preferences.get(member.user_id) or NotificationPreference(user=member.user)
    on_duty = not member.duty_days or on.weekday() in member.duty_days
    return member.user.is_active and on_duty and CALLOUT in wanted_kinds(preference, INBOX)


@dataclass
class Figures:
    population: int
    needing_help: int
    checks: list[Check]
    # The team each check of reachable members is about.
    teams: dict[str, Team]


def drill_figures(drill: Drill, on: datetime.date) -> Figures:
    """A drill's checks against the live data: helpers for the residents who need help (the
    registry's vulnerable groups in the affected grids), shelter places and materials by the
    level's rules, and each team's members reachable on the day."""
    residents = Person.objects.filter(grid_code__in=drill.grids, merged_into__isnull=True)
    population = residents.count()
    needs = requirements(drill.version.levels, drill.level, population)
    needing_help = residents.exclude(vulnerable_tags=[]).count()
    teams = list(Team.objects.filter(pk__in=drill.version.levels[drill.level]["teams"]))
    # Former members are not counted: nobody would call them.
    members = list(TeamMember.objects.current().filter(team__in=teams).select_related(
        "user", "team"))
    preferences = {preference.user_id: preference for preference in
                   NotificationPreference.objects.filter(
                       user_id__in=[member.user_id for member in members])}
    reachable = [member for member in members if _reachable(member, preferences, on)]
    per_helper = max(1, settings.WANGGE_DRILL_RESIDENTS_PER_HELPER)
    helpers = Check(HELPERS, float(math.ceil(needing_help / per_helper)),
                    float(sum(member.team.kind in HELPER_TEAMS for member in reachable)))
    by_team = {f"team:{team.pk}": team for team in teams}
    team_checks = [Check(key, float(sum(member.team_id == team.pk for member in members
                                        if member.user.is_active)),
                         float(sum(member.team_id == team.pk for member in reachable)))
                   for key, team in by_team.items()]
    checks = [helpers, *holdings_compared(needs, scope_prefix(drill.plan.grid_code), on),
              *team_checks]
    return Figures(population, needing_help, checks, by_team)


def score_of(checks: Iterable[Check]) -> int:
    """0–100: the mean share of each requirement met."""
    shares = [check.coverage for check in checks]
    return 100 if not shares else round(100 * sum(shares) / len(shares))


def compared(checks: list[dict[str, Any]], previous: list[dict[str, Any]]
             ) -> dict[str, str]:
    """For each check key: ``better``, ``worse`` or ``same`` than in ``previous`` (by the
    share met), or ``new`` when the previous drill did not have it."""
    before = {check["key"]: Check(**check).coverage for check in previous}
    answer = {}
    for data in checks:
        check = Check(**data)
        if check.key not in before:
            answer[check.key] = "new"
        else:
            change = check.coverage - before[check.key]
            answer[check.key] = ("better" if change > 1e-9 else
                                 "worse" if change < -1e-9 else "same")
    return answer


def check_label(key: str, names: dict[str, str], teams: dict[str, str]) -> str:
    """What a check is about, in the reader's language."""
    if key == HELPERS:
        return _("Helpers for residents who need help to leave")
    if key == SHELTER_PLACES:
        return _("Shelter places")
    kind, _colon, value = key.partition(":")
    if kind == "material":
        return _("Materials: %(category)s") % {"category": names.get(value, value)}
    return _("Members reachable: %(team)s") % {"team": teams.get(key, value)}


def category_names() -> dict[str, str]:
    return dict(MaterialCategory.objects.values_list("code", "name"))
