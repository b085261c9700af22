from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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


@pytest.fixture
def in_browser():
    """``in_browser(walk)``: run ``walk(chromium)`` in a thread of its own; its result (or
    error) comes back. ``walk`` drives pages only; the test checks the database after.

    Playwright's sync API leaves its asyncio loop marked as running in the thread that uses
    it. Django takes such a thread for async code: it refuses ORM calls there and keeps the
    thread's database connections in context-local storage that pytest-django's teardown never
    closes, so PostgreSQL would refuse to drop the test database ("being accessed by other
    users"). In a thread of its own the browser leaves the test's thread plain sync."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs /usr/bin/chromium (make browser)")

    def drive(walk: Callable[[Any], Any]) -> Any:
        with playwright_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-dev-shm-usage"],
            )
            try:
                return walk(chromium)
            finally:
                chromium.close()

    def run(walk: Callable[[Any], Any]) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(drive, walk).result()

    return run
