from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.factories import GRID_A, GRID_B, make_dwelling, make_person, make_user
from wangge.foundation.permissions import Role


class RefusalsWatched:
    """The browser as a walk sees it, collecting what the Content Security Policy refused on
    any page (an inline script or style someone added), so every browser test fails on it."""

    def __init__(self, chromium: Any) -> None:
        self._chromium = chromium
        self.refusals: list[str] = []

    def _watch(self, target: Any) -> Any:
        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                self.refusals.append(message.text)

        target.on("console", on_console)
        return target

    def new_page(self, **options: Any) -> Any:
        return self._watch(self._chromium.new_page(**options))

    def new_context(self, **options: Any) -> Any:
        return self._watch(self._chromium.new_context(**options))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._chromium, name)


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
                watched = RefusalsWatched(chromium)
                result = walk(watched)
            finally:
                chromium.close()
        assert not watched.refusals, "the Content Security Policy refused:\n" + "\n".join(
            watched.refusals)
        return result

    def run(walk: Callable[[Any], Any]) -> Any:
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(drive, walk).result()

    return run
