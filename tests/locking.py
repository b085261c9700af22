"""Another process holding SQLite's write lock, as a long import does, and a short busy timeout
so that a test which would wait for it fails fast instead of after five seconds."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="SQLite's single write lock")


@contextmanager
def write_lock_held() -> Iterator[sqlite3.Connection]:
    """A second connection to the test database holding its write lock (BEGIN IMMEDIATE)
    until the block ends; yields it, so a test may release it earlier with ``commit()``."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield other
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def short_busy_timeout():
    """Django's connections wait 0.1 s for a lock instead of the default 5 s."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("timeout")
    options["timeout"] = 0.1
    connection.close()
    yield
    if before is None:
        options.pop("timeout", None)
    else:
        options["timeout"] = before
    connection.close()
