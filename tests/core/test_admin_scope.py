"""Every back-office list is scoped, and every save goes through a service.

The tests walk ``admin.site``: an admin registered later must be listed here as scoped (with
a record in and one out of a street officer's jurisdiction), as global configuration, or as
closed to every data role, or these tests fail.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.test import RequestFactory

from tests.api.helpers import credit_code
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
from wangge.access.admin import ServiceAdmin
from wangge.access.permissions import Action, Role, can
from wangge.divisions.models import Division, Grid
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, Responder
from wangge.open311.services import open311_key_create, public_report_file
from wangge.organizations.services import organization_create
from wangge.people.services import household_create
from wangge.places.services import building_alias_add, enterprise_create, facility_create

_serial = iter(range(100, 10_000))


def _organization(grid: str) -> Any:
    return organization_create(name=f"队{next(_serial)}", kind="volunteer_team",
                               grid_code=grid, by=SYSTEM)


def _public_report(grid: str) -> Any:
    install_default_categories(Category)
    event = public_report_file(prefix=grid, category=Category.objects.get(code="garbage"),
                               description="垃圾堆积", longitude=centre_of(grid)[0],
                               latitude=centre_of(grid)[1], contact_phone="13900001111")
    return event.public_report


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
    "events.Responder": lambda grid: Responder.objects.create(
        organization=_organization(grid), user=make_user(Role.DEPARTMENT_STAFF, grid)),
    "open311.PublicReport": _public_report,
    "open311.Open311Key": lambda grid: open311_key_create(
        name=f"client {next(_serial)}", jurisdiction_code=grid)[0],
}
# One for the whole platform, not filed under any jurisdiction.
GLOBAL = {
    "events.Category": "the category tree is shared by every jurisdiction",
    "reports.ReportTemplate": "a department's report form is the same everywhere",
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
        if label in CLOSED or label in ACCOUNTS_AND_LOGS:
            continue  # accounts are saved by Django's own UserAdmin (docs/security.md)
        saves = any(model_admin.has_add_permission(request := _request(
            make_user(role, DISTRICT))) or model_admin.has_change_permission(request)
            for role in Role.values)
        if saves:
            assert isinstance(model_admin, ServiceAdmin), label
            assert type(model_admin).save_model is not ModelAdmin.save_model, label
