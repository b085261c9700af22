"""Every back-office list is scoped, and every save goes through a service.

The tests walk ``admin.site``: an admin registered later must be listed here as scoped (with
a record in and one out of a street officer's jurisdiction), as global configuration, or as
closed to every data role, or these tests fail.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.api.helpers import credit_code
from tests.emergency.matrix import emergency_records
from tests.epidemic.matrix import make_case, make_venue
from tests.factories import (
    COMMUNITY_1,
    COMMUNITY_2,
    DISTRICT,
    GRID_A,
    GRID_C,
    STREET_1,
    SYSTEM,
    centre_of,
    make_building,
    make_dwelling,
    make_person,
    make_user,
)
from tests.needs.matrix import needs_records
from tests.resources.matrix import RESOURCE_MODELS, make_resource, supply_records
from wangge.access.models import ApiToken, User
from wangge.access.services import token_create
from wangge.alerts.models import PreparednessMessage
from wangge.alerts.services import preparedness_message_save
from wangge.conventions.models import Breach
from wangge.conventions.services import convention_create
from wangge.divisions.models import Division, Grid
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, DispatchDefault, Responder
from wangge.foundation.admin import ServiceAdmin
from wangge.foundation.permissions import Action, Role, can, uses_back_office
from wangge.measures.services import measure_power_grant
from wangge.notices.services import notice_create
from wangge.open311.services import open311_key_create, public_report_file
from wangge.organizations.services import organization_create
from wangge.people.services import household_create
from wangge.places.services import building_alias_add, enterprise_create, facility_create
from wangge.reports.models import ReportTemplate
from wangge.volunteers.services import points_correct, registration_register, task_post

_serial = iter(range(100, 10_000))


def _convention(grid: str) -> Any:
    return convention_create(by=SYSTEM, kind="convention", title="公约", text="第一条。",
                             community_code=grid[:12])


def _organization(grid: str) -> Any:
    return organization_create(name=f"队{next(_serial)}", kind="volunteer_team",
                               grid_code=grid, by=SYSTEM)


def _public_report(grid: str) -> Any:
    install_default_categories(Category)
    event = public_report_file(prefix=grid, category=Category.objects.get(code="garbage"),
                               description="垃圾堆积", longitude=centre_of(grid)[0],
                               latitude=centre_of(grid)[1], contact_phone="13900001111")
    return event.public_report


def _medical_request(grid: str) -> Any:
    """A request for remote medical help in ``grid``, sent to a centre serving it."""
    from wangge.care.medical import medical_request_file

    install_default_categories(Category)
    organization_create(name=f"卫生服务中心{next(_serial)}", kind="health_centre",
                        grid_code=grid, served_grid_codes=[grid], by=SYSTEM)
    return medical_request_file(person=make_person(grid), symptoms="咳嗽", urgency="normal",
                                by=SYSTEM)


def _volunteer(grid: str) -> Any:
    return registration_register(by=SYSTEM, person=make_person(grid))


# One record of the admin's model filed under ``grid`` (grid A is in the street officer's
# jurisdiction, grid C is not).
SCOPED: dict[str, Callable[[str], Any]] = {
    "divisions.Division": lambda grid: Division.objects.get(
        code=COMMUNITY_1 if grid == GRID_A else COMMUNITY_2),
    "divisions.Grid": lambda grid: Grid.objects.get(code=grid),
    "places.Building": lambda grid: make_building(grid),
    "places.Dwelling": lambda grid: make_dwelling(grid),
    "places.BuildingAlias": lambda grid: building_alias_add(
        building=make_building(grid), text=f"老楼{grid}", by=SYSTEM),
    "places.Facility": lambda grid: facility_create(
        name="卫生站", kind="clinic", address="路1号", longitude=centre_of(grid)[0],
        latitude=centre_of(grid)[1], by=SYSTEM),
    "places.Enterprise": lambda grid: enterprise_create(
        name="小店", credit_code=credit_code(next(_serial)), address="路2号",
        longitude=centre_of(grid)[0], latitude=centre_of(grid)[1], by=SYSTEM),
    "people.Person": lambda grid: make_person(grid),
    "people.Household": lambda grid: household_create(head=make_person(grid), by=SYSTEM),
    "organizations.Organization": _organization,
    "epidemic.Case": make_case,
    "epidemic.Venue": make_venue,
    "events.Responder": lambda grid: Responder.objects.create(
        organization=_organization(grid), user=make_user(Role.DEPARTMENT_STAFF, grid)),
    "events.DispatchDefault": lambda grid: DispatchDefault.objects.create(
        category=Category.objects.get_or_create(code=f"c{next(_serial)}", name="类别")[0],
        organization=_organization(grid)),
    "open311.PublicReport": _public_report,
    "open311.Open311Key": lambda grid: open311_key_create(
        name=f"client {next(_serial)}", jurisdiction_code=grid)[0],
    "measures.MeasurePower": lambda grid: measure_power_grant(
        organization=_organization(grid), kinds=["home_monitoring"], by=SYSTEM, reason="授权"),
    "emergency.Plan": lambda grid: emergency_records(grid)["emergency_plan"],
    "emergency.Team": lambda grid: emergency_records(grid)["emergency_team"],
    "emergency.TeamMember": lambda grid: emergency_records(grid)["emergency_team"].members.get(),
    "emergency.Emergency": lambda grid: emergency_records(grid)["emergency"],
    "emergency.Drill": lambda grid: emergency_records(grid)["emergency_drill"],
    "resources.SupplyRequest": lambda grid: supply_records(grid)["supply_request"],
    "resources.AllocationRun": lambda grid: supply_records(grid)["allocation_run"],
    "resources.DispatchOrder": lambda grid: supply_records(grid)["dispatch_order"],
    "care.MedicalRequest": lambda grid: _medical_request(grid),
    "alerts.PreparednessMessage": lambda grid: preparedness_message_save(
        message=PreparednessMessage(community_code=grid[:12], topic="safety", headline="防火",
                                    description="检查燃气。", starts_on=datetime.date(2026, 1, 1)),
        by=SYSTEM, reason="计划"),
    **{model._meta.label: lambda grid, model=model: make_resource(model, grid)
       for model in RESOURCE_MODELS},
    **{f"needs.{name.title()}": lambda grid, name=name: needs_records(grid)[name]
       for name in ("need", "offer", "match", "donation")},
    "notices.Notice": lambda grid: notice_create(
        by=SYSTEM, audience="grids", grid_codes=[grid], title="停水", body="明日停水。"),
    "volunteers.Registration": lambda grid: _volunteer(grid),
    "volunteers.Task": lambda grid: task_post(
        by=SYSTEM, code=grid[:12], title="清扫", place="广场", needed=1,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=1, hours=2)),
    "volunteers.LedgerEntry": lambda grid: points_correct(
        by=SYSTEM, registration=_volunteer(grid), points=1, reason="补录"),
    "conventions.Convention": _convention,
    # Written here directly: only a convention in force is breached through the service.
    "conventions.Breach": lambda grid: Breach.objects.create(
        convention=_convention(grid), text="乱扔垃圾", grid_code=grid,
        created=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)),
}
# One for the whole platform, not filed under any jurisdiction.
GLOBAL = {
    "events.Category": "the category tree is shared by every jurisdiction",
    "reports.ReportTemplate": "a department's report form is the same everywhere",
    "measures.LegalBasis": "a law and its articles are the same everywhere",
    "resources.MaterialCategory": "reserves add up across jurisdictions in one set of categories",
    "care.CareRule": "a visit rule is about a population, which is the same everywhere",
    "populations.Population": "a department's population and its fields are the same "
                              "everywhere (a person's circumstances are on their record)",
}
# Groups and the task queue: no role opens them.
CLOSED = {"auth.Group", "django_tasks_database.DBTaskResult"}
# Accounts and logs: opened only by the administrator whose job they are (MLPS's separation).
ACCOUNTS_AND_LOGS = {
    "access.User": Action.MANAGE_ACCOUNTS,
    "access.ApiToken": Action.MANAGE_ACCOUNTS,
    "axes.AccessAttempt": (Action.MANAGE_ACCOUNTS, Action.READ_LOGS),
    "axes.AccessLog": Action.READ_LOGS,
    "axes.AccessFailureLog": Action.READ_LOGS,
    "admin.LogEntry": Action.READ_LOGS,
}


def _admins() -> list[tuple[str, ModelAdmin]]:
    return sorted((model._meta.label, model_admin)
                  for model, model_admin in admin.site._registry.items())


def _request(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_is_classified():
    unknown = [label for label, _ in _admins() if label not in SCOPED and label not in GLOBAL
               and label not in CLOSED and label not in ACCOUNTS_AND_LOGS]
    assert not unknown, (f"{unknown}: scope their admin list and add them to SCOPED, or say "
                         "why they are global (GLOBAL) or closed to every data role (CLOSED)")


@pytest.mark.parametrize("label", sorted(SCOPED))
def test_every_scoped_admin_lists_only_the_jurisdiction(world, label):
    model_admin = next(model_admin for name, model_admin in _admins() if name == label)
    inside, outside = SCOPED[label](GRID_A), SCOPED[label](GRID_C)
    for role in (Role.STREET_OFFICER, Role.DISTRICT_ADMIN):
        # A district administrator of street 1 only, to have a record out of scope.
        user = make_user(role, STREET_1)
        listed = model_admin.get_queryset(_request(user))
        assert not listed.filter(pk=outside.pk).exists(), (label, role)
        if model_admin.has_view_permission(_request(user)):
            assert listed.filter(pk=inside.pk).exists(), (label, role)


@pytest.mark.parametrize("label", sorted(CLOSED))
def test_closed_admins_are_closed_to_every_data_role(world, label):
    model_admin = next(model_admin for name, model_admin in _admins() if name == label)
    for role in Role.values:
        request = _request(make_user(role, DISTRICT))
        assert not model_admin.has_module_permission(request), (label, role)
        assert not model_admin.has_view_permission(request), (label, role)


@pytest.mark.parametrize("label", sorted(ACCOUNTS_AND_LOGS))
def test_account_and_log_admins_open_only_to_their_administrator(world, label):
    model_admin = next(model_admin for name, model_admin in _admins() if name == label)
    actions = ACCOUNTS_AND_LOGS[label]
    actions = actions if isinstance(actions, tuple) else (actions,)
    for role in Role.values:
        request = _request(make_user(role, DISTRICT))
        opens = model_admin.has_module_permission(request)
        assert opens == any(can(request.user, action) for action in actions), (label, role)


def test_every_admin_that_saves_does_so_through_a_service(world):
    """No data role can add or change through an admin that would call ``Model.save``."""
    for label, model_admin in _admins():
        if label in CLOSED or (label in ACCOUNTS_AND_LOGS and label != "access.User"):
            continue  # logs are read only; a token is only renamed or revoked
        saves = any(model_admin.has_add_permission(request := _request(
            make_user(role, DISTRICT))) or model_admin.has_change_permission(request)
            for role in Role.values)
        if saves:
            assert isinstance(model_admin, ServiceAdmin), label
            assert type(model_admin).save_model is not ModelAdmin.save_model, label


# The matrix of the back office's pages: every role × every admin × its list, add, change and
# delete pages, with a record in (grid A) and out of (grid C) a street officer's jurisdiction.
ACCOUNT_RECORDS: dict[str, Callable[[str], Any]] = {
    "access.User": lambda grid: make_user(Role.GRID_WORKER, grid),
    "access.ApiToken": lambda grid: _token_of(make_user(Role.GRID_WORKER, grid)),
}


def _token_of(user: Any) -> ApiToken:
    token_create(user=user, name="phone")
    return ApiToken.objects.get(user=user)


def _global_record(label: str) -> Any:
    install_default_categories(Category)
    return admin.site._registry[apps.get_model(label)].model.objects.order_by("pk").first()


def _url(model_admin: ModelAdmin, page: str, obj: Any = None) -> str:
    opts = model_admin.model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}_{page}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


@pytest.mark.parametrize("label", sorted(label for label, _ in _admins()))
@pytest.mark.parametrize("role", Role.values)
def test_admin_pages(role, label, world, client):
    """The list and add pages open exactly as the admin's permissions say; a record is opened
    (change, delete) in the jurisdiction, and is 404 outside it, like a record that does not
    exist; a role kept out of the back office is sent to its login."""
    model_admin = admin.site._registry[apps.get_model(label)]
    user = make_user(role, STREET_1)
    client.force_login(user)
    request = _request(user)
    factory = SCOPED.get(label) or ACCOUNT_RECORDS.get(label)
    records = ({True: factory(GRID_A), False: factory(GRID_C)} if factory
               else {True: _global_record(label)} if label in GLOBAL else {})
    pages = [("changelist", None, model_admin.has_view_permission(request)),
             ("add", None, model_admin.has_add_permission(request))]
    for inside, obj in records.items():
        pages += [("change", (inside, obj), model_admin.has_view_or_change_permission(request)),
                  ("delete", (inside, obj), model_admin.has_delete_permission(request))]
    for page, target, allowed in pages:
        response = client.get(_url(model_admin, page, target and target[1]))
        if not uses_back_office(user):
            want = 302
        elif not allowed:
            want = 403
        else:
            want = 200 if target is None or target[0] else 404
        assert response.status_code == want, (page, target)


def test_a_token_is_never_handed_to_another_account(world, client):
    """Renaming a token is all its change page does: given another account's id (a
    superuser's), it stays its user's."""
    manager = make_user(Role.SECURITY_ADMIN, STREET_1)
    token = _token_of(make_user(Role.GRID_WORKER, GRID_A))
    owner = token.user
    superuser = User.objects.create_superuser("root", password="a long passphrase 1")
    client.force_login(manager)
    response = client.post(reverse("admin:access_apitoken_change", args=[token.pk]),
                           {"name": "renamed", "user": superuser.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.name, token.user) == ("renamed", owner)


def test_the_system_administrator_edits_report_templates_and_nobody_deletes_them(world):
    model_admin = admin.site._registry[ReportTemplate]
    request = _request(make_user(Role.SYSTEM_ADMIN, DISTRICT))
    assert model_admin.has_module_permission(request)
    assert model_admin.has_change_permission(request)
    for role in Role.values:
        assert not model_admin.has_delete_permission(_request(make_user(role, DISTRICT))), role


def test_tokens_are_renamed_and_revoked_through_the_services(world, client):
    """The token admin saves and deletes through token_rename and token_revoke: an
    administrator's own token is another administrator's to revoke."""
    manager = make_user(Role.SECURITY_ADMIN, STREET_1)
    token = _token_of(make_user(Role.GRID_WORKER, GRID_A))
    own = ApiToken.objects.get(pk=_token_of(manager).pk)
    client.force_login(manager)
    assert client.post(reverse("admin:access_apitoken_delete", args=[token.pk]),
                       {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert client.post(reverse("admin:access_apitoken_delete", args=[own.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:access_apitoken_change", args=[own.pk]),
                       {"name": "mine"}).status_code == 403
    own.refresh_from_db()
    assert own.name != "mine"
