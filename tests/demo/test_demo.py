"""`wangge demo`: a small build checked for layout, valid people, placement and accounts."""

import datetime
import io
import itertools
import json

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count
from django.test import RequestFactory, override_settings
from django.utils import timezone, translation
from shapely.geometry import box
from shapely.ops import unary_union
from stdnum.cn import uscc

from tests.factories import SYSTEM, shipped_rows
from wangge import synthetic
from wangge.access.models import User
from wangge.access.services import user_create
from wangge.alerts.models import Alert, PreparednessMessage
from wangge.alerts.selectors import alerts_visible_to, preparedness_messages_visible_to
from wangge.care.models import CareVisit
from wangge.care.selectors import visits_due
from wangge.demo import city
from wangge.demo.accounts import STAFF_PREFIX
from wangge.demo.build import demo_build, demo_reset
from wangge.divisions.geometry import boundary_shape
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import grid_at
from wangge.emergency.models import (
    Callout,
    Emergency,
    EmergencyStep,
    EmergencyTask,
    Hazard,
    Plan,
    PlanVersion,
    Severity,
    Team,
    TeamKind,
    TeamMember,
    VersionState,
)
from wangge.emergency.selectors import plans_visible_to, teams_visible_to
from wangge.emergency.services import callout_answer, emergency_declare
from wangge.foundation.actors import system_actor
from wangge.foundation.codes import Level
from wangge.foundation.permissions import Role
from wangge.normalisers import (
    DocumentType,
    normalise_document_number,
    normalise_phone,
    parse_resident_id,
)
from wangge.notices.models import Notice
from wangge.notifications.models import ALERT, Notification
from wangge.organizations.models import Organization, OrganizationKind
from wangge.patrols.services import patrol_start, patrol_visit
from wangge.people.models import Household, Person, Relationship
from wangge.people.selectors import person_history, persons_visible_to
from wangge.people.services import person_update
from wangge.places.models import Building, Dwelling, Enterprise, Facility, FacilityKind
from wangge.places.services import building_create
from wangge.populations.models import Circumstance
from wangge.resources.alerts import stock_alerts_check
from wangge.resources.models import (
    CallablePerson,
    Condition,
    Depot,
    Material,
    MaterialCategory,
    Provider,
    Shelter,
    StockAlert,
    Utility,
    Vehicle,
)
from wangge.resources.selectors import (
    depots_visible_to,
    in_condition,
    materials_visible_to,
    shelters_visible_to,
)
from wangge.resources.services import resource_update

# What the emergency readiness adds to the district.
READINESS = (Depot, Material, Shelter, Utility, Provider, CallablePerson, Vehicle, Team,
             TeamMember, Plan, PlanVersion, Alert, PreparednessMessage)

RESIDENTS = 600
# Hashing eight passwords at full strength would dominate the test's time.
def fast_hashing() -> override_settings:
    return override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """One build shared by the module's tests, rolled back after them (so the next module
    starts from an empty database)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with django_db_blocker.unblock(), fast_hashing(), transaction.atomic():
        shipped_rows("resources.migrations.0002_material_categories",
                     "populations.migrations.0002_shipped_populations",
                     "care.migrations.0002_shipped_rules")
        call_command("demo", "--residents", str(RESIDENTS), "--no-serve",
                     "--i-know-this-is-not-production", stdout=stdout,
                     stderr=stderr)
        yield stdout.getvalue(), stderr.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def accounts(demo_output, db):
    return json.loads(demo_output[0].strip().splitlines()[-1])["accounts"]


def test_layout_has_streets_communities_and_grids(demo_output, db):
    assert Division.objects.filter(level=Level.STREET).count() >= 3
    assert Division.objects.filter(level=Level.COMMUNITY).count() >= 10
    assert Grid.objects.count() >= 50
    assert Division.objects.filter(code="420000000000", level=Level.PROVINCE).exists()
    assert Division.objects.filter(code="420100000000", level=Level.CITY).exists()


def test_grids_tile_the_district(demo_output, db):
    shapes = [boundary_shape(grid.boundary) for grid in Grid.objects.all()]
    district = box(*city.DISTRICT_BOUNDS)
    assert unary_union(shapes).area == pytest.approx(district.area, rel=1e-9)
    assert unary_union(shapes).symmetric_difference(district).area < 1e-12
    for first, second in itertools.combinations(shapes, 2):
        assert first.intersection(second).area < 1e-15


def test_every_resident_id_is_valid_and_matches_birth_date_and_sex(demo_output, db):
    counties = set(synthetic.current_counties("")[1])
    people = list(Person.objects.all())
    assert len(people) == RESIDENTS
    for person in people:
        if person.document_type == DocumentType.RESIDENT_ID:
            resident_id = parse_resident_id(person.id_number)
            assert (resident_id.birth_date, resident_id.sex) == (person.birth_date, person.sex)
            assert resident_id.area_code in counties
        else:
            assert normalise_document_number(person.document_type, person.id_number) == (
                person.id_number)
        if person.phone:
            assert normalise_phone(person.phone) == person.phone
    assert sum(number.startswith("420102") for number in
               Person.objects.values_list("id_number", flat=True)) > RESIDENTS / 3


def test_identifiers_are_unique_and_history_is_recorded(demo_output, db):
    numbers = list(Person.objects.values_list("id_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    history = Person.history.filter(history_change_reason=city.REASON, history_type="+")
    assert history.count() == RESIDENTS


def test_every_household_has_its_head(demo_output, db):
    households = list(Household.objects.select_related("head"))
    assert 1.8 < RESIDENTS / len(households) < 3.5
    for household in households:
        assert household.head.household_id == household.pk
        assert household.head.relationship == Relationship.HEAD
        assert household.dwelling.grid_code == household.grid_code
    assert Person.objects.filter(household=None).count() == 0


def test_buildings_are_placed_by_location_and_some_are_unplaced(demo_output, db):
    unplaced = list(Building.objects.unplaced())
    assert unplaced
    assert all(grid_at(b.longitude, b.latitude) is None for b in unplaced)
    for building in Building.objects.exclude(pk__in=[b.pk for b in unplaced])[:40]:
        assert grid_at(building.longitude, building.latitude).code == building.grid_code
    assert all(d.floor <= d.building.floors for d in
               Building.objects.first().dwellings.select_related("building"))


def test_facilities_enterprises_and_organizations_of_every_kind(demo_output, db):
    assert set(Facility.objects.values_list("kind", flat=True)) == set(FacilityKind.values)
    credit_codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert credit_codes
    assert all(uscc.is_valid(code) for code in credit_codes)
    for kind in OrganizationKind.values:
        organization = Organization.objects.filter(kind=kind).first()
        assert organization is not None, kind
        assert organization.memberships.exists(), kind
    assert Organization.objects.filter(served_grids__isnull=False).exists()


def test_one_account_per_role_with_working_passwords(accounts):
    assert sorted(account["role"] for account in accounts) == sorted(Role.values)
    for account in accounts:
        # django-axes counts sign-ins per request: authenticate as the sign-in page does.
        user = authenticate(RequestFactory().post("/login/"), username=account["username"],
                            password=account["password"])
        assert user is not None
        validate_password(account["password"], User(username=account["username"]))
        assert [j.code for j in user.jurisdictions.all()] == account["jurisdiction"].split(",")


def test_progress_goes_to_stderr(demo_output):
    stdout, stderr = demo_output
    assert len(stdout.strip().splitlines()) == 1
    assert "residents" in stderr


def test_grid_worker_sees_only_their_grids(accounts):
    account = next(a for a in accounts if a["role"] == Role.GRID_WORKER)
    grid_codes = account["jurisdiction"].split(",")
    assert 1 <= len(grid_codes) <= 2
    worker = User.objects.get(username=account["username"])
    visible = persons_visible_to(worker)
    assert visible.exists()
    assert set(visible.values_list("grid_code", flat=True)) <= set(grid_codes)
    assert visible.count() == Person.objects.filter(grid_code__in=grid_codes).count()


def _build(seed: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The people of a build, and how many records of each kind it made."""
    with fast_hashing():
        demo_build(residents=200, seed=seed)
    counts = {model.__name__: model.objects.count()
              for model in (Person, Person.history.model, Household, Building, Grid, Division,
                            Organization, Facility, Enterprise, User, *READINESS,
                            *(model.history.model for model in READINESS))}
    return list(Person.objects.order_by("pk").values_list("name", "id_number")), counts


def test_same_seed_gives_the_same_people_and_rebuilding_does_not_duplicate(demo_output, db):
    first, counts = _build(seed=7)
    worker = User.objects.get(username="demo-grid-worker")
    grid_code = worker.scope_prefixes[0].ljust(15, "0")
    patrol = patrol_start(grid_code=grid_code, by=worker)  # the rebuild clears patrols too
    patrol_visit(patrol=patrol, building=Building.objects.filter(grid_code=grid_code).first(),
                 by=worker)
    again, counts_again = _build(seed=7)
    assert first == again
    assert counts == counts_again
    assert counts["Person"] == counts["HistoricalPerson"] == 200
    assert _build(seed=8)[0] != again
    assert User.objects.filter(username__startswith="demo-").exclude(
        username__startswith=STAFF_PREFIX).count() == len(Role.values)


def test_a_later_edit_shows_what_changed(demo_output, db):
    person = Person.objects.exclude(phone_index="").first()
    person_update(person=person, by=SYSTEM, reason="新号码", phone="13900001111")
    latest = person_history(User(is_superuser=True), person)[0]
    assert latest["reason"] == "tests: 新号码"  # the system actor is named
    assert [(c["field"], c["new"]) for c in latest["changes"]] == [("phone", "13900001111")]


# --- the demo never destroys what it did not make ------------------------------------------

def _demo(*arguments: str) -> None:
    with fast_hashing(), translation.override("en"):
        call_command("demo", "--residents", "200", "--no-serve", *arguments,
                     stdout=io.StringIO(), stderr=io.StringIO())


def test_the_demo_refuses_and_keeps_a_record_a_real_user_made(demo_output, db):
    """A building added under 420102 by a real account: the demo refuses, deleting nothing."""
    # Sequences are not rolled back with an earlier test's rebuild: move them past the rows.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
                no_style(), [Building, Building.history.model]):
            cursor.execute(statement)
    admin = User.objects.create(username="district-it", is_superuser=True)
    grid = Grid.objects.order_by("code").first()
    lon, lat = boundary_shape(grid.boundary).representative_point().coords[0]
    building = building_create(name="真楼", address="胜利街1号", longitude=lon, latitude=lat,
                               by=admin)
    people = Person.objects.count()
    with pytest.raises(CommandError, match="did not make: buildings \\(1\\)"):
        _demo("--i-know-this-is-not-production")
    assert Building.objects.filter(pk=building.pk).exists()
    assert Person.objects.count() == people
    assert Division.objects.filter(code=city.DISTRICT[0]).exists()


def test_the_demo_refuses_while_someone_else_answers_for_its_district(demo_output, db):
    user_create(username="jiangan-officer", role=Role.STREET_OFFICER, by=SYSTEM,
                jurisdictions=[Division.objects.filter(level=Level.STREET).first().code])
    people = Person.objects.count()
    with pytest.raises(CommandError, match="users \\(1\\)"):
        _demo("--i-know-this-is-not-production")
    assert Person.objects.count() == people


def test_the_demo_refuses_records_imported_by_a_command(demo_output, db):
    """The command line writes as the system too, but named otherwise than the demo."""
    person = Person.objects.first()
    person_update(person=person, by=system_actor("wangge import"), reason="导入",
                  occupation="教师")
    with pytest.raises(CommandError, match="people \\(1\\)"):
        _demo("--i-know-this-is-not-production")
    assert Person.objects.get(pk=person.pk).occupation == "教师"


def test_the_demo_is_a_development_command(demo_output, db, settings):
    settings.DEBUG = False
    people = Person.objects.count()
    with pytest.raises(CommandError, match="development only"):
        _demo()
    assert Person.objects.count() == people


# --- emergency readiness: resources, teams and plans, alerts ---------------------------------

def test_depots_shelters_and_resources_with_stock_to_warn_of(demo_output, db):
    communities = Division.objects.filter(level=Level.COMMUNITY)
    streets = Division.objects.filter(level=Level.STREET)
    for community in communities:
        assert Depot.objects.filter(grid_code__startswith=community.code).exists()
        shelter = Shelter.objects.get(grid_code__startswith=community.code)
        assert 0 <= shelter.occupancy <= shelter.capacity
        assert Utility.objects.filter(grid_code__startswith=community.code).exists()
    for street in streets:
        assert Depot.objects.filter(owner__grid_code=street.code).count() in (1, 2)
        assert Provider.objects.filter(grid_code__startswith=street.code[:9]).count() == 2
        assert CallablePerson.objects.filter(grid_code=street.code).count() == 3
        assert Vehicle.objects.filter(grid_code=street.code).count() == 2
    assert Shelter.objects.filter(occupancy__gt=0).exists()
    assert set(Material.objects.values_list("category__code", flat=True)) == set(
        MaterialCategory.objects.exclude(code="other").values_list("code", flat=True))
    today = timezone.localdate()
    assert Material.objects.filter(in_condition(Condition.LOW_STOCK, today)).count() >= 3
    assert Material.objects.filter(in_condition(Condition.EXPIRING, today)).count() >= 3
    assert Material.objects.filter(in_condition(Condition.EXPIRED, today)).count() == 1
    checked = stock_alerts_check(today)  # `wangge stock-alerts` has something to say
    assert checked.opened >= 7
    assert checked.told >= 1


def test_every_community_has_an_approved_flood_and_epidemic_plan(demo_output, db):
    for community in Division.objects.filter(level=Level.COMMUNITY):
        for hazard in (Hazard.FLOOD, Hazard.EPIDEMIC):
            plan = Plan.objects.get(grid_code=community.code, hazard=hazard)
            version = plan.versions.get(state=VersionState.IN_FORCE)
            assert version.approver.username == "demo-district-admin"
            assert version.author.username.startswith(STAFF_PREFIX)
            assert set(version.levels) == set(Severity.values)
            for level in version.levels.values():
                assert all(level[part] for part in ("actions", "teams", "resources"))
                assert all(action["hours"] > 0 for action in level["actions"])
            owners = {action["owner"] for action in version.levels["I"]["actions"]}
            assert len(owners) >= 3
            kinds = Team.objects.filter(pk__in=version.levels["I"]["teams"]).values_list(
                "kind", flat=True)
            assert set(kinds) == set(TeamKind.values)
            # The gravest level holds the lighter levels' checklist and more.
            assert len(version.levels["I"]["actions"]) > len(version.levels["IV"]["actions"])


def test_teams_have_demo_and_staff_members_deputies_and_rosters(demo_output, db):
    assert set(Team.objects.values_list("kind", flat=True)) == set(TeamKind.values)
    members = list(TeamMember.objects.select_related("team", "user"))
    for member in members:
        assert member.deputy_id not in (None, member.user_id)
        assert TeamMember.objects.filter(team=member.team, user=member.deputy_id).exists()
    assert {tuple(member.duty_days) for member in members} == {(), (0, 1, 2, 3, 4), (5, 6)}
    usernames = {member.user.username for member in members}
    assert {"demo-community-staff", "demo-grid-worker", "demo-volunteer",
            "demo-street-officer"} <= usernames
    assert sum(name.startswith(STAFF_PREFIX) for name in usernames) >= 2 * Team.objects.count()


def test_preparedness_messages_and_one_rainstorm_warning_in_force(demo_output, db):
    assert sorted(PreparednessMessage.objects.values_list("community_code", flat=True)) == (
        sorted(Division.objects.filter(level=Level.COMMUNITY).values_list("code", flat=True)))
    alert = Alert.objects.current(timezone.now()).public().get()
    assert alert.headline.startswith("暴雨黄色预警")
    worker = User.objects.get(username="demo-grid-worker")
    assert set(alert.grids.values_list("code", flat=True)) == set(
        worker.jurisdictions.values_list("code", flat=True))
    assert Notification.objects.filter(recipient=worker, kind=ALERT).exists()


def test_the_demo_accounts_see_the_readiness_from_their_homes(accounts):
    users = {account["role"]: User.objects.get(username=account["username"])
             for account in accounts}
    for role in (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_OFFICER,
                 Role.DISTRICT_ADMIN):
        user = users[role]
        for selector in (depots_visible_to, materials_visible_to, shelters_visible_to,
                         alerts_visible_to):
            assert selector(user).exists(), (role, selector.__name__)
    for role in (Role.COMMUNITY_STAFF, Role.STREET_OFFICER, Role.DISTRICT_ADMIN):
        user = users[role]
        assert plans_visible_to(user).filter(hazard=Hazard.FLOOD).exists(), role
        assert teams_visible_to(user).exists(), role
        assert preparedness_messages_visible_to(user).exists(), role
    for role in (Role.VOLUNTEER, Role.RESIDENT):
        assert alerts_visible_to(users[role]).exists(), role
    # Scoped: the community's staff see their community's plans, no other.
    staff = users[Role.COMMUNITY_STAFF]
    assert set(plans_visible_to(staff).values_list("grid_code", flat=True)) == set(
        staff.jurisdictions.values_list("code", flat=True))


def test_the_reset_removes_the_readiness_and_an_emergency_declared_in_the_demo(
        demo_output, db):
    staff = User.objects.get(username="demo-community-staff")
    community = staff.jurisdictions.get().code
    plan = Plan.objects.get(grid_code=community, hazard=Hazard.FLOOD)
    grids = list(Grid.objects.filter(code__startswith=community)
                 .values_list("code", flat=True)[:2])
    emergency = emergency_declare(plan=plan, level=Severity.LEVEL_III, grids=grids, by=staff,
                                  reason="暴雨内涝")
    callout = emergency.callouts.select_related("user").first()
    callout_answer(callout=callout, available=False, by=callout.user)  # the deputy is called
    assert Callout.objects.filter(deputy_for__isnull=False).exists()
    stock_alerts_check()
    demo_reset()
    for model in (*READINESS, Emergency, EmergencyTask, EmergencyStep, Callout, StockAlert):
        assert not model.objects.exists(), model
        if history := getattr(model, "history", None):
            assert not history.model.objects.exists(), model
    assert not User.objects.filter(username__startswith="demo-").exists()


def test_the_demo_refuses_a_depot_a_real_user_changed(demo_output, db):
    admin = User.objects.create(username="district-it", is_superuser=True)
    depot = Depot.objects.order_by("pk").first()
    resource_update(record=depot, by=admin, reason="更正名称", name="真实储备库")
    with pytest.raises(CommandError, match="depots \\(1\\)"):
        _demo("--i-know-this-is-not-production")
    assert Depot.objects.get(pk=depot.pk).name == "真实储备库"


def test_circumstances_in_realistic_shares_with_links_and_rented_flats(demo_output, db):
    residents = Person.objects.filter(grid_code__startswith=city.AREA_CODE).count()
    shares = dict(Circumstance.objects.filter(ended_on=None).values_list("population__key")
                  .annotate(count=Count("pk")).values_list("population__key", "count"))
    assert 0.12 * residents <= shares["older_people"] <= 0.35 * residents
    assert 0.005 * residents <= shares["disability"] <= 0.04 * residents
    assert shares["chronic_illness"] >= 0.05 * residents
    assert shares["floating"] >= 0.05 * residents
    assert {"evacuation_help", "left_behind_child"} <= set(shares)
    alone = Circumstance.objects.filter(population__key="older_people",
                                        values__living_situation="alone")
    assert alone.exists()
    for circumstance in alone.select_related("person")[:20]:
        assert "elderly_alone" in circumstance.person.vulnerable_tags
    helpers = [c.values["helper"] for c in Circumstance.objects.filter(
        population__key="evacuation_help")]
    assert Person.objects.filter(pk__in=helpers).count() == len(set(helpers))
    assert Dwelling.objects.filter(rented=True, owner__isnull=False,
                                   lease_end__isnull=False).exists()
    assert Building.objects.filter(has_lift=True).exists()


def test_the_warning_reaches_residents_and_visits_have_gone_on_for_a_while(demo_output, db):
    alert = Alert.objects.current(timezone.now()).public().get()
    notice = Notice.objects.get(alert=alert)
    assert notice.recipient_count == Person.objects.filter(
        grid_code__in=alert.grids.values("code")).count() > 0
    visits = list(CareVisit.objects.select_related("rule"))
    assert visits
    late = [visit for visit in visits if timezone.now() - visit.visited_at > datetime.timedelta(
        days=visit.rule.interval_days)]
    assert len(late) < len(visits) / 4  # most were visited within their interval
    worker = User.objects.get(username="demo-grid-worker")
    assert all(visit.days_overdue <= 10 for visit in visits_due(worker))
