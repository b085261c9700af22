"""Writes of cases and exposures: one code path for the pages, the API and the back office.

Every service checks the actor's role (``RECORD_CASES``) and jurisdiction, validates, saves
with history inside a transaction, and announces what it touched through
``health.signals.risk_inputs_changed`` in that transaction (the risk grades follow it).

Tracing (``exposures_trace``) finds the close contacts of a case over its infectious period
(two days before onset, or before the report or first positive test when there is no onset,
up to the report, which stands for isolation) and their households as secondary contacts:

- the household and anyone else living in the same flat: close, ``household``;
- co-residents of the building, per ``WANGGE_BUILDING_CONTACTS``: the same unit (one stairwell
  and lift, the default), the whole building, or none: close, ``building``;
- whoever was at one of the case's venues at the same time: close, ``venue``;
- contacts listed by staff (``exposure_add``): close, ``listed``;
- the household members of each close contact: secondary, through (``via``) that contact.

Tracing is idempotent: one exposure per case and person (a constraint), so tracing again adds
only what is new; a secondary contact found close is raised to close, never the reverse.
"""

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor, actor_checked, user_of
from wangge.foundation.codes import is_within
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, require
from wangge.health.signals import risk_inputs_changed
from wangge.people.models import Person, ResidenceType
from wangge.places.models import Enterprise, Facility

from .models import (
    Case,
    CaseSource,
    CaseStatus,
    CaseTest,
    Exposure,
    ExposureDegree,
    ExposureKind,
    TestKind,
    Venue,
    VenueVisit,
)

# The infectious period starts this many days before onset (or the report, or the first
# positive test, when there is no onset).
INFECTIOUS_DAYS_BEFORE = 2
# How far back a case's dates, a visit or a contact may go (a typing error beyond).
LONGEST_PAST_DAYS = 366
# A visit is a stay, not a residence: at most this long.
LONGEST_VISIT = datetime.timedelta(hours=24)
# Visits in one call (the API's bulk POST), and contacts one tracing records at most.
MAX_VISITS = 2000
MAX_TRACED = 5000
# A chain of source cases longer than this is refused as a loop or an error.
LONGEST_SOURCE_CHAIN = 100

OPEN_STATUSES = (CaseStatus.SUSPECTED, CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC)
# Where a case's status may move (a new episode is a new case).
MOVES: dict[str, frozenset[str]] = {
    CaseStatus.SUSPECTED: frozenset({CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC,
                                     CaseStatus.EXCLUDED}),
    CaseStatus.ASYMPTOMATIC: frozenset({CaseStatus.CONFIRMED, CaseStatus.RECOVERED}),
    CaseStatus.CONFIRMED: frozenset({CaseStatus.RECOVERED}),
    CaseStatus.RECOVERED: frozenset(),
    CaseStatus.EXCLUDED: frozenset(),
}
CASE_FIELDS = ("status", "source", "source_detail", "onset_on", "reported_on", "confirmed_on",
               "ended_on", "source_case")
NOT_IN_SCOPE = "There is no record with id %(id)s in your jurisdiction."


def today() -> datetime.date:
    return timezone.localdate()


def _announce(*, persons: Iterable[int] = (), buildings: Iterable[int | None] = (),
              venues: Iterable[int] = ()) -> None:
    """Tell the risk grades what was touched, inside the writing transaction."""
    risk_inputs_changed.send(sender=Case, persons=set(persons),
                             buildings={pk for pk in buildings if pk is not None},
                             venues=set(venues))


def _building_of(person: Person) -> int | None:
    if person.dwelling_id is None:
        return None
    return Person.objects.filter(pk=person.pk).values_list(
        "dwelling__building_id", flat=True).first()


def _person_checked(person: Person | None, by: Actor, name: str = "person") -> Person:
    """A registered person (not merged into another record) in ``by``'s jurisdiction."""
    if person is None or person.merged_into_id is not None or not is_within(
            person.grid_code, by.scope_prefixes):
        pk = getattr(person, "pk", "?")
        raise ValidationError({name: _(NOT_IN_SCOPE) % {"id": pk}})
    return person


def _case_in_scope(case: Case, by: Actor) -> None:
    if not is_within(case.grid_code, by.scope_prefixes):
        raise ValidationError({"case": _(NOT_IN_SCOPE) % {"id": case.pk}})


# --- cases ------------------------------------------------------------------------------

def _case_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """The rules of a case's status and dates, by field."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    status, now = values.get("status"), today()
    if status not in CaseStatus.values:
        add("status", _("Choose a status from the list."))
    if values.get("source") not in CaseSource.values:
        add("source", _("Choose who reported the case from the list."))
    if values.get("reported_on") is None:
        add("reported_on", _("Say when the case was reported."))
    earliest = now - datetime.timedelta(days=LONGEST_PAST_DAYS)
    onset = values.get("onset_on")
    for name in ("onset_on", "reported_on", "confirmed_on", "ended_on"):
        day = values.get(name)
        if day is None:
            continue
        if day > now:
            add(name, _("This date is in the future."))
        elif day < earliest:
            add(name, _("This date is more than a year ago."))
        elif name in ("confirmed_on", "ended_on") and onset is not None and day < onset:
            add(name, _("This date is before the onset of symptoms."))
    confirmed, ended = values.get("confirmed_on"), values.get("ended_on")
    if status in (CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC) and confirmed is None:
        add("confirmed_on", _("A confirmed or asymptomatic case needs the date it was "
                              "confirmed."))
    if status == CaseStatus.RECOVERED and confirmed is None:
        add("confirmed_on", _("Only a confirmed case recovers: give the date it was "
                              "confirmed."))
    if status == CaseStatus.EXCLUDED and confirmed is not None:
        add("status", _("A confirmed case is not excluded: it recovers."))
    if status in (CaseStatus.RECOVERED, CaseStatus.EXCLUDED) and ended is None:
        add("ended_on", _("Say when the case recovered or was excluded."))
    if status in OPEN_STATUSES and ended is not None:
        add("ended_on", _("An open case has no end date."))
    if confirmed and ended and ended < confirmed:
        add("ended_on", _("This date is before the case was confirmed."))
    return errors


def _source_case_checked(source: Case | None, *, person_id: int, case: Case | None,
                         by: Actor) -> None:
    if source is None:
        return
    if not is_within(source.grid_code, by.scope_prefixes):
        raise ValidationError({"source_case": _(NOT_IN_SCOPE) % {"id": source.pk}})
    if source.person_id == person_id:
        raise ValidationError({"source_case": _("A case is not caught from the same "
                                                "person.")})
    if case is None:
        return
    # No loop: the case must not be among the source's own sources.
    seen, current = 0, source  # type: int, Case | None
    while current is not None and seen < LONGEST_SOURCE_CHAIN:
        if current.pk == case.pk:
            raise ValidationError({"source_case": _("That case was caught from this one.")})
        current = current.source_case
        seen += 1


def case_record(*, person: Person, status: str, source: str, reported_on: datetime.date,
                by: Actor, source_detail: str = "", onset_on: datetime.date | None = None,
                confirmed_on: datetime.date | None = None,
                ended_on: datetime.date | None = None, source_case: Case | None = None,
                reason: str = "") -> Case:
    """Record a case of ``person`` (in ``by``'s jurisdiction; one open case per person)."""
    require(actor_checked(by), Action.RECORD_CASES)
    _person_checked(person, by)
    values = {"status": status, "source": source, "reported_on": reported_on,
              "onset_on": onset_on, "confirmed_on": confirmed_on, "ended_on": ended_on}
    errors = _case_errors(values)
    if len(source_detail) > 100:
        errors["source_detail"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    _source_case_checked(source_case, person_id=person.pk, case=None, by=by)
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if status in OPEN_STATUSES and Case.objects.filter(
                person=person, status__in=OPEN_STATUSES).exists():
            raise ValidationError({"person": _("This person already has an open case: update "
                                               "it instead.")})
        case = Case(person=person, grid_code=person.grid_code, source_detail=source_detail,
                    source_case=source_case, recorded_by=user_of(by), **values)
        save_with_history(case, by=by, reason=reason or _("case recorded"))
        _announce(persons={person.pk}, buildings={_building_of(person)})
    return case


def case_update(*, case: Case, by: Actor, reason: str, **changes: Any) -> Case:
    """Change a case: its status moves only as ``MOVES`` allows, with the dates each status
    needs; a reason is kept in its history."""
    require(actor_checked(by), Action.RECORD_CASES)
    _case_in_scope(case, by)
    reason = stated_reason(reason)
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.")
                               for name in sorted(unknown)})
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    values.update(changes)
    errors = _case_errors(values)
    new_status = values["status"]
    if new_status != case.status and new_status not in MOVES.get(case.status, frozenset()):
        errors.setdefault("status", []).append(
            _("A case cannot move from %(old)s to %(new)s.") % {
                "old": CaseStatus(case.status).label,
                "new": CaseStatus(new_status).label if new_status in CaseStatus.values
                else new_status})
    if len(values.get("source_detail") or "") > 100:
        errors["source_detail"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    _source_case_checked(values["source_case"], person_id=case.person_id, case=case, by=by)
    with transaction.atomic():
        for name, value in changes.items():
            setattr(case, name, value if value is not None or name != "source_detail" else "")
        save_with_history(case, by=by, reason=reason)
        _announce(persons={case.person_id}, buildings={_building_of(case.person)})
    return case


def case_test_add(*, case: Case, kind: str, taken_on: datetime.date, positive: bool,
                  by: Actor, laboratory: str = "") -> CaseTest:
    """Add a laboratory's result behind ``case``."""
    require(actor_checked(by), Action.RECORD_CASES)
    _case_in_scope(case, by)
    errors: dict[str, list[str]] = {}
    if kind not in TestKind.values:
        errors["kind"] = [_("Choose a test from the list.")]
    if taken_on > today():
        errors["taken_on"] = [_("This date is in the future.")]
    elif taken_on < today() - datetime.timedelta(days=LONGEST_PAST_DAYS):
        errors["taken_on"] = [_("This date is more than a year ago.")]
    if len(laboratory) > 100:
        errors["laboratory"] = [_("At most 100 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        test = CaseTest(case=case, kind=kind, taken_on=taken_on, positive=positive,
                        laboratory=laboratory)
        save_with_history(test, by=by, reason=_("test result added"))
        _announce(persons={case.person_id})
    return test


# --- venues and visits ------------------------------------------------------------------

_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed


def venue_code() -> str:
    return "".join(secrets.choice(_CODE_LETTERS) for _ in range(12))


def venue_create(*, by: Actor, facility: Facility | None = None,
                 enterprise: Enterprise | None = None, name: str = "") -> Venue:
    """Give a facility or an enterprise (one of them) a venue code (场所码)."""
    require(actor_checked(by), Action.RECORD_CASES)
    if (facility is None) == (enterprise is None):
        raise ValidationError({"facility": _("Choose a facility or an enterprise (one).")})
    place: Facility | Enterprise = facility or enterprise  # type: ignore[assignment]
    kind = "facility" if facility is not None else "enterprise"
    if not is_within(place.grid_code, by.scope_prefixes):
        raise ValidationError({kind: _(NOT_IN_SCOPE) % {"id": place.pk}})
    name = (name or place.name).strip()[:200]
    with transaction.atomic():
        if Venue.objects.filter(**{kind: place}).exists():
            raise ValidationError({kind: _("This place already has a venue code.")})
        venue = Venue(name=name, grid_code=place.grid_code, code=venue_code(), **{kind: place})
        save_with_history(venue, by=by, reason=_("venue code issued"))
    return venue


def venue_update(*, venue: Venue, by: Actor, reason: str, **changes: Any) -> Venue:
    """Rename a venue, or take its code out of use (``active``) or back."""
    require(actor_checked(by), Action.RECORD_CASES)
    if not is_within(venue.grid_code, by.scope_prefixes):
        raise ValidationError({"venue": _(NOT_IN_SCOPE) % {"id": venue.pk}})
    reason = stated_reason(reason)
    unknown = set(changes) - {"name", "active"}
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.")
                               for name in sorted(unknown)})
    if "name" in changes:
        name = str(changes["name"] or "").strip()
        if not name or len(name) > 200:
            raise ValidationError({"name": _("Give a name of at most 200 characters.")})
        venue.name = name
    if "active" in changes:
        venue.active = bool(changes["active"])
    with transaction.atomic():
        save_with_history(venue, by=by, reason=reason)
    return venue


@dataclass(frozen=True)
class Visit:
    person: Person
    arrived: datetime.datetime
    left: datetime.datetime


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time without a zone is read as local time."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _visit_errors(visit: Visit, by: Actor, now: datetime.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    person = visit.person
    if person is None or person.merged_into_id is not None or not is_within(
            person.grid_code, by.scope_prefixes):
        errors["person"] = [_(NOT_IN_SCOPE) % {"id": getattr(person, "pk", "?")}]
    if visit.left < visit.arrived:
        errors["left"] = [_("A visit ends after it starts.")]
    elif visit.left - visit.arrived > LONGEST_VISIT:
        errors["left"] = [_("A visit lasts at most 24 hours.")]
    if visit.left > now + datetime.timedelta(minutes=5):
        errors.setdefault("left", []).append(_("This time is in the future."))
    oldest = now - datetime.timedelta(days=settings.WANGGE_VISIT_RETENTION_DAYS)
    if visit.arrived < oldest:
        errors["arrived"] = [_("Visits are kept for %(days)s days; this one is older.")
                             % {"days": settings.WANGGE_VISIT_RETENTION_DAYS}]
    return errors


def visits_record(*, venue: Venue, visits: Sequence[Visit], by: Actor) -> list[VenueVisit]:
    """Record visits of ``venue`` (in ``by``'s jurisdiction), all or nothing: a refused one is
    a ValidationError keyed ``visits.N.field``. Each visitor must be registered in the
    jurisdiction too (a person outside it reads as unknown)."""
    require(actor_checked(by), Action.RECORD_CASES)
    if not is_within(venue.grid_code, by.scope_prefixes):
        raise ValidationError({"venue": _(NOT_IN_SCOPE) % {"id": venue.pk}})
    if not venue.active:
        raise ValidationError({"venue": _("This venue code is no longer in use.")})
    if len(visits) > MAX_VISITS:
        raise ValidationError({"visits": _("At most %(count)s visits at a time.")
                               % {"count": MAX_VISITS}})
    now = timezone.now()
    visits = [Visit(visit.person, _aware(visit.arrived), _aware(visit.left)) for visit in visits]
    errors = {f"visits.{position}.{name}": messages
              for position, visit in enumerate(visits)
              for name, messages in _visit_errors(visit, by, now).items()}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        saved = VenueVisit.objects.bulk_create([
            VenueVisit(venue=venue, person=visit.person, grid_code=venue.grid_code,
                       arrived=visit.arrived, left=visit.left) for visit in visits])
        _announce(persons={visit.person.pk for visit in visits}, venues={venue.pk})
    return saved


def visit_record(*, venue: Venue, person: Person, arrived: datetime.datetime,
                 left: datetime.datetime, by: Actor) -> VenueVisit:
    """One visit (a scan in and out, or an estimate); refused like ``visits_record``'s, with
    the fields named without the position."""
    try:
        return visits_record(venue=venue, visits=[Visit(person, arrived, left)], by=by)[0]
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError({name.removeprefix("visits.0."): messages
                                   for name, messages in error.message_dict.items()}) from None
        raise


def visits_purge(now: datetime.datetime | None = None) -> int:
    """Delete venue visits that ended more than WANGGE_VISIT_RETENTION_DAYS ago, but those an
    exposure rests on (kept as long as the exposure). Returns how many were deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.WANGGE_VISIT_RETENTION_DAYS)
    kept = Exposure.objects.filter(visit__isnull=False).values("visit_id")
    with transaction.atomic():
        deleted, _kinds = VenueVisit.objects.filter(left__lt=cutoff).exclude(
            pk__in=kept).delete()
    return deleted


# --- exposures --------------------------------------------------------------------------

def exposure_add(*, case: Case, person: Person, last_contact_on: datetime.date, by: Actor,
                 note: str = "") -> Exposure:
    """A contact listed by staff (an epidemiological interview, a colleague): close, of kind
    ``listed``. A person already exposed to the case through a secondary contact is raised to
    close; one already close is refused."""
    require(actor_checked(by), Action.RECORD_CASES)
    _case_in_scope(case, by)
    _person_checked(person, by)
    errors: dict[str, list[str]] = {}
    if person.pk == case.person_id:
        errors["person"] = [_("A case is not its own contact.")]
    if last_contact_on > today():
        errors["last_contact_on"] = [_("This date is in the future.")]
    elif last_contact_on < today() - datetime.timedelta(days=LONGEST_PAST_DAYS):
        errors["last_contact_on"] = [_("This date is more than a year ago.")]
    if len(note) > 200:
        errors["note"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        exposure = Exposure.objects.select_for_update().filter(case=case, person=person).first()
        if exposure is not None and exposure.degree == ExposureDegree.CLOSE:
            raise ValidationError({"person": _("This person is already a close contact of "
                                               "the case.")})
        if exposure is None:
            exposure = Exposure(case=case, person=person, grid_code=person.grid_code,
                                recorded_by=user_of(by))
        exposure.degree, exposure.kind, exposure.via = (ExposureDegree.CLOSE,
                                                        ExposureKind.LISTED, None)
        exposure.last_contact_on, exposure.note = last_contact_on, note
        save_with_history(exposure, by=by, reason=_("contact listed"))
        _announce(persons={person.pk}, buildings={_building_of(person)})
    return exposure


@dataclass
class Traced:
    """What a tracing found and recorded."""

    start: datetime.date
    end: datetime.date
    added: int = 0
    changed: int = 0
    close: int = 0  # close contacts of the case now (found or recorded earlier)
    secondary: int = 0
    truncated: bool = False
    persons: set[int] = field(default_factory=set)
    venues: set[int] = field(default_factory=set)


def infectious_period(case: Case) -> tuple[datetime.date, datetime.date]:
    """From two days before onset (or before the report, confirmation or first positive
    test, whichever came first, when there is no onset) to the report, which stands for
    isolation (never before the start)."""
    if case.onset_on is not None:
        anchor = case.onset_on
    else:
        days = [case.reported_on, *([case.confirmed_on] if case.confirmed_on else [])]
        first_positive = case.tests.filter(positive=True).order_by("taken_on").values_list(
            "taken_on", flat=True).first()
        if first_positive is not None:
            days.append(first_positive)
        anchor = min(days)
    start = anchor - datetime.timedelta(days=INFECTIOUS_DAYS_BEFORE)
    return start, max(case.reported_on, start)


def _living(persons: Any) -> Any:
    return persons.filter(merged_into=None).exclude(residence_type=ResidenceType.AWAY)


def _household_of(person: Person) -> Any:
    """Who lives with ``person``: the household, and anyone else in the same flat."""
    together = Q(pk__in=[])
    if person.household_id is not None:
        together |= Q(household_id=person.household_id)
    if person.dwelling_id is not None:
        together |= Q(dwelling_id=person.dwelling_id)
    return _living(Person.objects.filter(together)).exclude(pk=person.pk)


def _co_residents(person: Person) -> Any:
    """Who lives in the same unit or building (``WANGGE_BUILDING_CONTACTS``)."""
    extent = settings.WANGGE_BUILDING_CONTACTS
    if person.dwelling_id is None or extent not in ("unit", "building"):
        return Person.objects.none()
    dwelling = person.dwelling
    assert dwelling is not None
    near = Q(dwelling__building_id=dwelling.building_id)
    if extent == "unit":
        near &= Q(dwelling__unit=dwelling.unit)
    return _living(Person.objects.filter(near)).exclude(pk=person.pk)


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def exposures_trace(*, case: Case, by: Actor) -> Traced:
    """Find and record the contacts of ``case`` (see the module's note). Contacts are found
    wherever they live (each exposure is filed under the contact's own grid, for its grid
    worker); at most ``MAX_TRACED`` are recorded at a time (``truncated`` then says so)."""
    require(actor_checked(by), Action.RECORD_CASES)
    _case_in_scope(case, by)
    if case.status == CaseStatus.EXCLUDED:
        raise ValidationError({"case": _("An excluded case has no contacts to trace.")})
    start, end = infectious_period(case)
    traced = Traced(start=start, end=end)
    person = Person.objects.select_related("dwelling").get(pk=case.person_id)
    # Close contacts: person id → (kind, last contact, visit).
    close: dict[int, tuple[str, datetime.date, int | None]] = {}
    for pk in _household_of(person).values_list("pk", flat=True)[:MAX_TRACED]:
        close[pk] = (ExposureKind.HOUSEHOLD, end, None)
    for pk in _co_residents(person).values_list("pk", flat=True)[:MAX_TRACED]:
        close.setdefault(pk, (ExposureKind.BUILDING, end, None))
    window = (timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
              timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1),
                                                            datetime.time.min)))
    own_visits = list(VenueVisit.objects.filter(
        person=person, arrived__lt=window[1], left__gt=window[0]).order_by("arrived")[:500])
    for own in own_visits:
        traced.venues.add(own.venue_id)
        shared = (VenueVisit.objects.filter(venue_id=own.venue_id, arrived__lt=own.left,
                                            left__gt=own.arrived, person__merged_into=None)
                  .exclude(person=person).order_by("arrived")[:MAX_TRACED])
        for visit in shared:
            day = _local_day(min(visit.left, own.left))
            found = close.get(visit.person_id)
            if found is None or (found[0] == ExposureKind.VENUE and day > found[1]):
                close[visit.person_id] = (ExposureKind.VENUE, day, visit.pk)
    with transaction.atomic():
        existing = {exposure.person_id: exposure for exposure in
                    Exposure.objects.select_for_update().filter(case=case)}
        persons = Person.objects.in_bulk(list(close))

        def save(exposure: Exposure, new: bool) -> None:
            if new and traced.added + traced.changed >= MAX_TRACED:
                traced.truncated = True
                return
            save_with_history(exposure, by=by, reason=_("contact tracing"))
            existing[exposure.person_id] = exposure
            traced.persons.add(exposure.person_id)
            if new:
                traced.added += 1
            else:
                traced.changed += 1

        for pk, (kind, day, visit_id) in sorted(close.items()):
            exposure = existing.get(pk)
            if exposure is None:
                save(Exposure(case=case, person_id=pk, grid_code=persons[pk].grid_code,
                              degree=ExposureDegree.CLOSE, kind=kind, last_contact_on=day,
                              visit_id=visit_id, recorded_by=user_of(by)), True)
            elif exposure.degree == ExposureDegree.SECONDARY:
                exposure.degree, exposure.kind, exposure.via = ExposureDegree.CLOSE, kind, None
                exposure.last_contact_on, exposure.visit_id = day, visit_id
                save(exposure, False)
            elif exposure.kind == kind and day > exposure.last_contact_on:
                exposure.last_contact_on, exposure.visit_id = day, visit_id or exposure.visit_id
                save(exposure, False)
        # Secondary: the households (and flats) of the close contacts, listed ones too, in
        # two queries however many; each through the first close contact they live with.
        closes = {exposure.person_id: exposure for exposure in existing.values()
                  if exposure.degree == ExposureDegree.CLOSE}
        homes = Person.objects.filter(pk__in=list(closes)).values_list(
            "pk", "household_id", "dwelling_id")
        by_household: dict[int, int] = {}
        by_dwelling: dict[int, int] = {}
        for pk, household_id, dwelling_id in sorted(homes):
            if household_id is not None:
                by_household.setdefault(household_id, pk)
            if dwelling_id is not None:
                by_dwelling.setdefault(dwelling_id, pk)
        members = (_living(Person.objects.filter(Q(household_id__in=list(by_household))
                                                 | Q(dwelling_id__in=list(by_dwelling))))
                   .exclude(pk__in=[case.person_id, *existing])
                   .order_by("pk").values_list("pk", "grid_code", "household_id",
                                               "dwelling_id")[:MAX_TRACED])
        for pk, grid_code, household_id, dwelling_id in members:
            through = [found for found in (by_household.get(household_id),
                                           by_dwelling.get(dwelling_id)) if found is not None]
            if pk in existing or not through:
                continue
            contact = closes[min(through)]
            save(Exposure(case=case, person_id=pk, grid_code=grid_code,
                          degree=ExposureDegree.SECONDARY, kind=ExposureKind.HOUSEHOLD,
                          via=contact, last_contact_on=contact.last_contact_on,
                          recorded_by=user_of(by)), True)
        traced.close = sum(exposure.degree == ExposureDegree.CLOSE
                           for exposure in existing.values())
        traced.secondary = len(existing) - traced.close
        _announce(persons=traced.persons | {case.person_id},
                  buildings={_building_of(person)}, venues=traced.venues)
    return traced
