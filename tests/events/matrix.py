"""The event records the API access matrix (tests/api/test_access_matrix.py) works on."""

from typing import Any

from django.utils import timezone

from tests.factories import SYSTEM, centre_of, make_user
from wangge.events.default_categories import install_default_categories
from wangge.events.models import Category, Event, State
from wangge.events.services import event_report
from wangge.foundation.permissions import Role


def event_records(grid: str) -> dict[str, Any]:
    """Two reported events in ``grid`` (one to act on, one to merge into it), a closed one
    (to rate) and a grid worker of ``grid`` to assign."""
    install_default_categories(Category)
    lon, lat = centre_of(grid)
    category = Category.objects.get(code="manhole-cover")

    def report() -> Any:
        return event_report(category=category, description="井盖缺失", longitude=lon,
                            latitude=lat, by=SYSTEM)

    closed = report()
    Event.objects.filter(pk=closed.pk).update(state=State.CLOSED, closed_at=timezone.now())
    return {"event": report(), "duplicate": report(), "closed_event": closed,
            "handler": make_user(Role.GRID_WORKER, grid), "category": category}
