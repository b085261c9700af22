"""Two writers grading the same building at once (PostgreSQL): the second waits for the first
to commit, so the building counts both cases, as a full recompute does."""

import threading
import time

import pytest
from django.db import connection, transaction

from tests.risk.conftest import make_world, record_case
from wangge.risk.models import Grade
from wangge.risk.services import grades_differences


@pytest.mark.django_db(transaction=True)
def test_two_writers_in_one_building_count_both():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time")
    world = make_world()
    first_in, second = world.people["tower"][0], world.people["tower"][2]
    recorded = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                record_case(first_in)
                recorded.set()
                time.sleep(0.5)  # the second writer grades meanwhile
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert recorded.wait(10)
    with transaction.atomic():
        record_case(second)
    thread.join()
    building = Grade.objects.get(kind="building", key=str(world.tower.pk))
    assert building.reasons[0]["facts"]["count"] == 2
    assert grades_differences() == []
