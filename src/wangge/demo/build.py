"""Build (or rebuild) the demo district: wipe the previous one, then lay out the city, house
the residents chunk by chunk, add organizations and one account per role, events, and the
emergency readiness (resources, teams and approved plans, preparedness messages and a warning).

The demo owns district 420102 (江岸区) and the ``demo-*`` accounts (one per role, and the
teams' ``demo-staff-*``): a rebuild deletes every record whose code starts with 420102, with
its history, and those accounts. Province and city are created when missing and otherwise
left alone.

420102 is the real code of a district of Wuhan, so a rebuild first makes sure that everything
there is the demo's own: every history row written by the demo (as the system named "wangge
demo", or by a demo account), and nobody else answering for a code there. Anything else (an
import, a correction by a real user, a public report) and it refuses, deleting nothing.
"""

import itertools
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from wangge.access.models import Jurisdiction, User
from wangge.bulk import Keys, insert_with_history
from wangge.collector import rare_collections
from wangge.divisions.models import Division, Grid
from wangge.emergency.models import EmergencyStep
from wangge.events.models import Event, EventTransition, Responder
from wangge.foundation.codes import prefix_range
from wangge.notices.models import Notice, Recipient
from wangge.organizations.models import Membership, Organization, ServedGrid
from wangge.patrols.models import Patrol, PatrolFinding, PatrolVisit
from wangge.people.models import Household, Person, PersonMove
from wangge.places.models import Building, Dwelling, Enterprise, Facility
from wangge.populations.models import Circumstance

from . import (
    accounts,
    addresses,
    alerts,
    care,
    circumstances,
    city,
    conventions,
    emergency,
    events,
    needs,
    organizations,
    population,
    requests,
    resources,
    volunteers,
)

DEFAULT_SEED = 20200101
# Residents per transaction: large enough for few round trips, small enough that memory
# stays flat (peak RSS measured at 115 MiB for 20,000 residents, 160 MiB for 1,000,000).
CHUNK_RESIDENTS = 10_000
CANDIDATES_PER_GRID = 4

Progress = Callable[[str], None]


def _raw_delete(queryset: models.QuerySet) -> int:
    """Delete without fetching rows or sending per-row signals: simple-history would write a
    deletion row for each of a million records. Their history is deleted explicitly."""
    return queryset._raw_delete(queryset.db)


class DemoRefusedError(Exception):
    """The demo's district holds records the demo did not make: nothing was deleted."""


# Earlier versions wrote their bulk rows with this reason and no user, and left a deletion row
# per event at each rebuild.
_LEGACY_REASON = "demo"


def not_made_by_the_demo() -> list[str]:
    """What under the demo's district code the demo did not make, as "kind (count)": history
    rows by anyone but the demo (or its accounts), other users' jurisdictions, events moved or
    answered for by other users. Empty when a rebuild may delete it all."""
    area = city.AREA_CODE
    in_area, codes_in_area = prefix_range("grid_code", area), prefix_range("code", area)
    demo_users = accounts.demo_users().values("pk")
    by_demo = Q(history_user__in=demo_users) | Q(history_user__isnull=True) & (
        Q(history_change_reason=city.REASON) | Q(history_change_reason=_LEGACY_REASON)
        | Q(history_change_reason__startswith=f"{city.DEMO.name}: ")
        # A deletion with neither user nor reason went around every service (they all ask
        # why): the one left by an earlier demo's reset of its events.
        | Q(history_type="-", history_change_reason__isnull=True)
        # The demo residents' requests, filed and rated by their page (requests.py).
        | Q(history_change_reason__startswith=f"{requests.OWN_PAGE}: "))
    organizations = Organization.objects.filter(in_area).values("id")
    persons = Person.objects.filter(in_area).values("id")
    histories = {
        **{model: Q(codes_in_area) for model in (Division, Grid)},
        **{model: Q(in_area) for model in (Building, Dwelling, Facility, Enterprise, Person,
                                           Household, Organization, ServedGrid, Event,
                                           Patrol)},
        Membership: Q(organization_id__in=organizations) | Q(person_id__in=persons),
        PatrolVisit: Q(patrol_id__in=Patrol.objects.filter(in_area).values("id")),
        **resources.histories(), **emergency.histories(), **alerts.histories(),
        **volunteers.histories(),
        **conventions.histories(),
    }
    found = {model._meta.verbose_name_plural: model.history.model.objects.filter(where)
             .exclude(by_demo).count() for model, where in histories.items()}
    jurisdictions = Jurisdiction.objects.filter(prefix_range("code", area))
    found[User._meta.verbose_name_plural] = (User.objects.filter(jurisdictions__in=jurisdictions)
                      .exclude(pk__in=demo_users)
                      # A resident's account is the demo's when its person is (checked above).
                      .exclude(resident_account__person__in=persons).distinct().count())
    # Rows without history of their own: a move, a step of an event, a responder.
    found[PersonMove._meta.verbose_name_plural] = PersonMove.objects.filter(
        person_id__in=persons).exclude(by__in=demo_users).count()
    found[EventTransition._meta.verbose_name_plural] = EventTransition.objects.filter(
        event__in=Event.objects.filter(in_area), actor__isnull=False).exclude(
        actor__in=demo_users).count()
    found[Responder._meta.verbose_name_plural] = Responder.objects.filter(
        organization__in=organizations).exclude(user__in=demo_users).count()
    found[EmergencyStep._meta.verbose_name_plural] = emergency.foreign_steps(demo_users)
    return [f"{kind} ({count})" for kind, count in found.items() if count]


@transaction.atomic
def demo_reset() -> None:
    """Delete the previous demo district, its history and the demo accounts; refuse
    (``DemoRefusedError``, nothing deleted) when anything there is not the demo's own."""
    if foreign := not_made_by_the_demo():
        raise DemoRefusedError(_(
            "District %(code)s (%(name)s) holds records the demo did not make: %(records)s. "
            "Nothing was deleted. The demo replaces everything under code %(area)s: run it on "
            "a database of its own (DATABASE_URL).") % {
            "code": city.DISTRICT[0], "name": city.DISTRICT[1], "records": ", ".join(foreign),
            "area": city.AREA_CODE})
    area = city.AREA_CODE
    in_area = prefix_range("grid_code", area)
    patrols = Patrol.objects.filter(in_area)  # they refer to buildings and accounts
    for visits in (PatrolVisit.history.model.objects, PatrolVisit.objects):
        _raw_delete(visits.filter(patrol_id__in=patrols.values("id")))
    PatrolFinding.objects.filter(patrol__in=patrols).delete()
    _raw_delete(Patrol.history.model.objects.filter(in_area))
    _raw_delete(patrols)
    events.delete_events()  # they refer to places, organizations and accounts
    care.delete_visits()  # they refer to persons and events
    # Notices (the warning's among them) refer to alerts and persons.
    notices = Notice.objects.filter(prefix_range("code", area))
    _raw_delete(Recipient.objects.filter(notice__in=notices))
    _raw_delete(Notice.history.model.objects.filter(prefix_range("code", area)))
    _raw_delete(notices)
    requests.delete_requests()  # residents' accounts refer to persons
    # Alerts refer to grids and accounts, readiness to accounts, resources to organizations.
    alerts.delete_alerts()
    volunteers.delete_volunteers()  # they refer to persons, organizations and accounts
    needs.delete_needs()
    conventions.delete_conventions()  # their electorates refer to persons
    emergency.delete_readiness()
    resources.delete_resources()
    organization_ids = Organization.objects.filter(in_area).values("id")
    person_ids = Person.objects.filter(in_area).values("id")
    for members in (Membership.history.model.objects, Membership.objects):
        _raw_delete(members.filter(organization_id__in=organization_ids))
        _raw_delete(members.filter(person_id__in=person_ids))
    for served in (ServedGrid.history.model.objects, ServedGrid.objects):
        _raw_delete(served.filter(organization_id__in=organization_ids))
        _raw_delete(served.filter(in_area))
    _raw_delete(PersonMove.objects.filter(person_id__in=person_ids))
    for held in (Circumstance.history.model.objects, Circumstance.objects):
        _raw_delete(held.filter(person_id__in=person_ids))
    Dwelling.objects.filter(owner_id__in=person_ids).update(owner=None)
    for model in (Organization, Person, Household, Dwelling, Building, Facility, Enterprise):
        _raw_delete(model.history.model.objects.filter(in_area))
        _raw_delete(model.objects.filter(in_area))
    for model in (Grid, Division):
        _raw_delete(model.history.model.objects.filter(prefix_range("code", area)))
        _raw_delete(model.objects.filter(prefix_range("code", area)))
    accounts.delete_accounts()


def _save(objects: list[Any], model: type[models.Model]) -> list[Any]:
    return bulk_create_with_history(objects, model, batch_size=1000,
                                    default_change_reason=city.REASON)


class _Builder:
    def __init__(self, *, seed: int, residents: int, progress: Progress) -> None:
        self.seed, self.residents, self.progress = seed, residents, progress
        self.rng = random.Random(seed)
        self.credit_serials: Iterator[int] = itertools.count(1)
        self.candidates: dict[str, list[organizations.Candidate]] = {}
        self.housed = 0
        self.started = time.monotonic()

    def grid_rng(self, grid: city.GridPlan) -> random.Random:
        # One generator per grid: a grid's content does not depend on chunking.
        return random.Random(f"{self.seed}/{grid.code}")

    @transaction.atomic
    def populate(self, grids: list[city.GridPlan], populator: population.Populator) -> None:
        """Buildings, dwellings, households, residents and enterprises of some grids."""
        keys = populator.keys
        rows: dict[type[models.Model], list[Any]] = {
            Building: [], Dwelling: [], Household: [], Person: [], Enterprise: [],
            Circumstance: []}
        for grid in grids:
            rng = self.grid_rng(grid)
            households = population.plan_households(rng, grid.residents)
            dwellings, buildings = [], []
            for building, in_building in city.grid_buildings(rng, grid, len(households)):
                keys.assign(building, *in_building)
                for dwelling in in_building:
                    dwelling.building = building
                buildings.append(building)
                dwellings += in_building
            rows[Building] += buildings
            household_rows, people = populator.house(rng, households, dwellings)
            rows[Circumstance] += self.circumstances.grid(
                random.Random(f"{self.seed}/{grid.code}/circumstances"), people, dwellings,
                buildings, keys)
            enterprises = city.grid_enterprises(rng, grid, self.credit_serials)
            keys.assign(*enterprises)
            rows[Dwelling] += dwellings
            rows[Household] += household_rows
            rows[Person] += people
            rows[Enterprise] += enterprises
            adults = [p for p in people if p.phone and 25 <= population.age(p) <= 65]
            self.candidates.setdefault(grid.community.code, []).extend(
                organizations.Candidate(p.pk, p.name, p.phone)
                for p in adults[:CANDIDATES_PER_GRID])
        for model, records in rows.items():
            insert_with_history(model, records, reason=city.REASON)
        self.housed += len(rows[Person])

    def run(self) -> list[dict[str, str]]:
        with rare_collections():
            return self._run()

    def _run(self) -> list[dict[str, str]]:
        demo_reset()
        self.progress("Removed the previous demo district.")
        plan = city.plan_city(self.rng, self.residents)
        with transaction.atomic():
            city.create_divisions(plan)
        grids = list(plan.grids)
        self.progress(f"{len(plan.streets)} streets, {len(plan.communities)} communities, "
                      f"{len(grids)} grids.")
        keys = Keys(Building, Dwelling, Household, Person, Enterprise, Circumstance)
        self.circumstances = circumstances.Circumstances(
            {community.code: community.name for community in plan.communities})
        populator = population.Populator(keys)
        chunk: list[city.GridPlan] = []
        for index, grid in enumerate(grids, start=1):
            chunk.append(grid)
            if sum(g.residents for g in chunk) >= CHUNK_RESIDENTS or index == len(grids):
                self.populate(chunk, populator)
                chunk = []
                rate = self.housed / max(time.monotonic() - self.started, 1e-9)
                self.progress(f"{index}/{len(grids)} grids, {self.housed}/{self.residents} "
                              f"residents ({rate:,.0f}/s).")
        keys.close()
        with transaction.atomic():
            _save(city.unplaced_buildings(self.rng, plan), Building)
            _save(city.facilities(self.rng, plan), Facility)
            count = organizations.create_organizations(self.rng, plan, self.candidates,
                                                       self.credit_serials)
            self.progress(f"Facilities, unplaced buildings and {count} organizations.")
            created = accounts.create_accounts(self.rng, plan)
            self.progress(f"{events.create_events(self.rng, plan)} events.")
            asked = requests.create_requests(random.Random(f"{self.seed}/requests"), plan)
            self.progress(f"{asked} residents' requests.")
            # A generator of their own: the district and people above stay as they were.
            rng = random.Random(f"{self.seed}/readiness")
            self.progress(f"{resources.create_resources(rng, plan)} depots with their "
                          f"materials, shelters, utilities, providers, people and vehicles "
                          f"on call.")
            self.progress(f"{emergency.create_readiness(rng, plan)} approved plans with "
                          f"their teams.")
            self.progress(f"{alerts.create_alerts(rng, plan)} preparedness messages and a "
                          f"rainstorm warning.")
            self.progress(f"{care.create_visits(random.Random(f'{self.seed}/care'))} "
                          f"persons visited under the care rules.")
            self.progress(f"{volunteers.create_volunteers(rng, plan)} volunteers reported in.")
            self.progress(f"{needs.create_needs(rng, plan)} needs with offers and donations.")
            self.progress(f"A convention under discussion and a proposal put to the vote of "
                          f"{conventions.create_conventions(plan)} households.")
        listed = addresses.demo_department_list(settings.VAR_DIR / "demo",
                                                random.Random(f"{self.seed}/addresses"))
        self.progress(f"A department's list with addresses as written: {listed}")
        return created


def demo_build(*, residents: int, seed: int = DEFAULT_SEED,
               progress: Progress = lambda line: None) -> list[dict[str, str]]:
    """Replace the demo district with a fresh one of ``residents`` people; returns the
    accounts (username, role, jurisdiction, password) created for it."""
    return _Builder(seed=seed, residents=residents, progress=progress).run()
