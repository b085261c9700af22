import pytest

from tests.factories import GRID_A, GRID_B, make_dwelling, make_person, make_user
from wangge.access.permissions import Role


@pytest.fixture
def residents(world):
    """One resident in grid A (with a known ID and phone) and one in grid B."""
    return {
        "a": make_person(GRID_A, name="甲居民", id_number="42010219800108123X",
                         phone="13812345678"),
        "b": make_person(GRID_B, name="乙居民", dwelling=make_dwelling(GRID_B, room="201")),
    }


@pytest.fixture
def grid_worker(world):
    return make_user(Role.GRID_WORKER, GRID_A, username="worker-a")


@pytest.fixture
def worker_client(client, grid_worker):
    client.force_login(grid_worker)
    return client
