"""Every service needs its actor: a user, or the system named for a command or task."""

import importlib
import inspect
import pkgutil

import pytest
from django.core.exceptions import ValidationError

import wangge
from tests.factories import GRID_A, GRID_C, SYSTEM, centre_of, make_building, make_person
from wangge.divisions.services import division_create
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category
from wangge.events.services import event_escalate_overdue, event_report
from wangge.foundation.actors import SystemActor, system_actor
from wangge.linkage.services import candidates_find
from wangge.organizations.services import organization_create
from wangge.people.services import person_update
from wangge.places.services import building_create, building_update


def _services() -> list[tuple[str, object]]:
    found = []
    for module in pkgutil.walk_packages(wangge.__path__, "wangge."):
        if module.name.endswith(".services"):
            loaded = importlib.import_module(module.name)
            found += [(f"{module.name}.{name}", function)
                      for name, function in vars(loaded).items()
                      if inspect.isfunction(function) and not name.startswith("_")
                      and function.__module__ == loaded.__name__
                      and "by" in inspect.signature(function).parameters]
    return found


def test_every_service_requires_its_actor():
    services = _services()
    assert len(services) > 40
    for name, function in services:
        parameter = inspect.signature(function).parameters["by"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameter.default is inspect.Parameter.empty, name


@pytest.mark.parametrize("call", [
    lambda: building_create(name="楼", address="路", longitude=114.305, latitude=30.605,
                            by=None),
    lambda: division_create(code="420102003000", name="街道", by=None),
    lambda: organization_create(name="队", kind="volunteer_team", grid_code=GRID_A, by=None),
    lambda: person_update(person=make_person(GRID_A), by=None, reason="更正", occupation="x"),
    lambda: candidates_find(scope=GRID_A, by=None),
    lambda: event_escalate_overdue(by=None),
])
def test_a_service_called_with_no_actor_is_an_error(world, call):
    with pytest.raises(TypeError, match=r"actor|SystemActor"):
        call()


def test_a_service_called_without_by_is_an_error(world):
    with pytest.raises(TypeError, match="by"):
        building_create(name="楼", address="路", longitude=114.305, latitude=30.605)


def test_the_system_is_named_in_the_history_it_writes(world):
    building = make_building(GRID_A)
    building_update(building=building, by=system_actor("wangge import"), reason="导入",
                    floors=7)
    latest = building.history.latest()
    assert latest.history_user is None
    assert latest.history_change_reason == "wangge import: 导入"
    assert building.history.earliest().history_change_reason == "tests"


def test_a_system_actor_stays_within_its_scope(world):
    """The residents' page of one grid files as the system, but only there."""
    install_default_categories(Category)
    page = SystemActor("residents' page", scope_prefixes=(GRID_A,))
    lon, lat = centre_of(GRID_C)
    with pytest.raises(ValidationError, match="outside your jurisdiction"):
        event_report(category=Category.objects.get(code="garbage"), description="垃圾",
                     longitude=lon, latitude=lat, by=page)
    lon, lat = centre_of(GRID_A)
    event = event_report(category=Category.objects.get(code="garbage"), description="垃圾",
                         longitude=lon, latitude=lat, by=page)
    assert event.reporter is None
    assert event.history.get().history_change_reason == "residents' page: reported"
    assert SYSTEM.scope_prefixes == ("",)
