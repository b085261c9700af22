"""Reads of conventions: those a member of staff sees, a resident's own, a community's public
list, and a vote's turnout (per grid and building, at any time) and tally (once closed, per
grid only where enough ballots hide each one). Nothing here ever reads a household's choice:
choices (``Ballot``) carry no voter."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from wangge.access.models import User
from wangge.divisions.models import Division
from wangge.divisions.selectors import area_names
from wangge.foundation.codes import parent_code, prefix_range, scope_prefix
from wangge.foundation.permissions import Action, can
from wangge.people.models import Person
from wangge.places.models import Building

from .models import Ballot, Breach, BreachState, Choice, Convention, Elector, State, Vote

# A grid's tally is shown only where it holds at least this many ballots: fewer, and a
# neighbour who knows who voted there could tell how they voted.
TALLY_SHOWN_FROM = 5
CHOICE_FIELDS = {Choice.FOR: "votes_for", Choice.AGAINST: "votes_against",
                 Choice.ABSTAIN: "abstentions"}
PUBLIC_STATES = (State.IN_FORCE, State.ADOPTED, State.REJECTED, State.SUPERSEDED,
                 State.REPEALED)


def concerns(convention: Convention, person: Person | None) -> bool:
    """Whether ``person`` lives in the area ``convention`` concerns now."""
    if person is None or not person.grid_code.startswith(scope_prefix(convention.code)):
        return False
    if convention.whole_community or person.grid_code in convention.grid_codes:
        return True
    dwelling = person.dwelling
    return dwelling is not None and dwelling.building_id in convention.building_ids


def _areas_above(code: str) -> list[str]:
    above = []
    current: str | None = code
    while current is not None and (current := parent_code(current)) is not None:
        above.append(current)
    return above


def conventions_visible_to(user: User) -> QuerySet[Convention]:
    """Conventions of a community inside ``user``'s jurisdiction, or of the community around
    their grids (a grid worker's)."""
    if not can(user, Action.VIEW_CONVENTIONS):
        return Convention.objects.none()
    prefixes = user.scope_prefixes
    if "" in prefixes:
        return Convention.objects.all()
    condition = Q(pk__in=[])
    for jurisdiction in user.jurisdictions.all():
        condition |= prefix_range("code", jurisdiction.prefix)
        condition |= Q(code__in=_areas_above(jurisdiction.code))
    return Convention.objects.filter(condition)


def conventions_of(person: Person | None) -> list[Convention]:
    """A resident's conventions: those past the draft of their community that concern where
    they live, and any whose vote counts them in its electorate; the newest first."""
    if person is None:
        return []
    person = Person.objects.select_related("dwelling").get(pk=person.pk)
    voting = set(Elector.objects.filter(person=person).values_list("vote__convention",
                                                                    flat=True))
    candidates = Convention.objects.exclude(state=State.DRAFT).filter(
        Q(code=person.grid_code[:12]) | Q(pk__in=voting)).select_related("vote")
    return [convention for convention in candidates.order_by("-created", "-pk")
            if convention.pk in voting or concerns(convention, person)]


def own_participation(person: Person | None, vote: Vote) -> dict[str, Any]:
    """What a resident may know of their part in a vote: whether they are in the electorate,
    and whether their unit (household) voted — never the choice."""
    elector = (Elector.objects.filter(vote=vote, person=person).first()
               if person is not None else None)
    if elector is None:
        return {"elector": False, "voted": False, "household": False}
    return {"elector": True, "household": elector.unit.startswith("household:"),
            "voted": vote.participations.filter(unit=elector.unit).exists()}


def turnout_by_area(vote: Vote) -> dict[str, list[dict[str, Any]]]:
    """Per grid and per building: the units (households or persons) of the electorate and
    how many voted (grouped queries; names in one more each)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for key, field in (("grids", "grid_code"), ("buildings", "building_id")):
        electorate = dict(vote.electors.values_list(field).annotate(
            n=Count("unit", distinct=True)).values_list(field, "n"))
        voted = dict(vote.participations.values_list(field).annotate(
            n=Count("pk")).values_list(field, "n"))
        names: dict[Any, str]
        if key == "grids":
            names = dict(area_names(electorate))
        else:
            names = dict(Building.objects.filter(pk__in=[k for k in electorate if k])
                         .values_list("pk", "name"))
        rows = [{"key": area, "name": names.get(area, area) if area else "",
                 "electorate": count, "voted": voted.get(area, 0),
                 "percent": round(100 * voted.get(area, 0) / count, 1) if count else 0.0}
                for area, count in electorate.items()]
        result[key] = sorted(rows, key=lambda row: (row["name"] or "", str(row["key"])))
    return result


def tally_by_grid(vote: Vote) -> list[dict[str, Any]]:
    """Once the vote is closed: for, against and abstain per grid, where the grid holds at
    least ``TALLY_SHOWN_FROM`` ballots (else only "too few to show")."""
    if vote.closed_at is None:
        return []
    rows: dict[str, dict[str, Any]] = {}
    for grid, choice, count in (Ballot.objects.filter(vote=vote)
                                .values_list("grid_code", "choice").annotate(n=Count("pk"))
                                .values_list("grid_code", "choice", "n")):
        row = rows.setdefault(grid, {"grid_code": grid, **dict.fromkeys(Choice.values, 0)})
        row[choice] = count
    names = area_names(rows)
    shown = []
    for grid, row in sorted(rows.items()):
        total = sum(row[choice] for choice in Choice.values)
        hidden = total < TALLY_SHOWN_FROM
        shown.append({"grid_code": grid, "name": names.get(grid, grid), "ballots": total,
                      "hidden": hidden,
                      **{name: (None if hidden else row[choice])
                         for choice, name in CHOICE_FIELDS.items()}})
    return shown


def breaches_visible_to(user: User) -> QuerySet[Breach]:
    """Breaches reported where ``user`` answers for (a building's grid, or the community)."""
    if not can(user, Action.VIEW_CONVENTIONS):
        return Breach.objects.none()
    return Breach.objects.in_scope(user.scope_prefixes).select_related("convention",
                                                                       "building")


def breaches_waiting(user: User) -> QuerySet[Breach]:
    """The to-do: breaches no one has dealt with yet, oldest first."""
    return breaches_visible_to(user).filter(state=BreachState.OPEN).order_by("created", "pk")


def public_community(code: str) -> Division | None:
    """The community of a public page (None for any other code)."""
    if len(code) != 12 or not code.isdigit() or code[9:] == "000":
        return None
    return Division.objects.filter(code=code).first()


def public_conventions(community: Division) -> QuerySet[Convention]:
    """A community's conventions for anyone: in force, and every vote closed, with its
    result and turnout; never a draft, a discussion or a person."""
    return (Convention.objects.filter(code=community.code, state__in=PUBLIC_STATES)
            .filter(vote__closed_at__isnull=False)
            .select_related("vote", "current_version").order_by("-vote__closed_at", "-pk"))


