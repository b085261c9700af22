"""An acknowledged check-in is never lost: the production server (granian, with the group
commit) is killed with SIGKILL while residents' check-ins stream in, right after it has
acknowledged some, and every check-in it acknowledged is in the database.

The server runs over the test database itself (committed data: a transactional test), on
PostgreSQL or on SQLite's file."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import GRID_A
from wangge.health.models import CheckIn, CheckInChannel
from wangge.health.passes import PASS_COOKIE, pass_issue
from wangge.people.models import Person

ROOT = Path(__file__).resolve().parents[2]
CSRF = "killkillkillkillkillkillkillkill"
SENDERS, EACH = 16, 40


def database_url() -> str:
    database = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}")
    return f"sqlite:///{database['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(port: int, person: int, passed: str) -> bool:
    """One resident's check-in; True when the receipt came back."""
    link = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        link.request("POST", "/checkin/answers/",
                     body=f"csrfmiddlewaretoken={CSRF}&temperature-{person}=36.7",
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Cookie": f"csrftoken={CSRF}; {PASS_COOKIE}={passed}"})
        answer = link.getresponse()
        return answer.status == 200 and b'class="receipt"' in answer.read()
    finally:
        link.close()


def up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server did not start"
        try:
            link = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            link.request("GET", "/checkin/answers/")
            if link.getresponse().status == 403:  # up: no pass yet
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not answer in time")


@pytest.mark.django_db(transaction=True)
def test_every_acknowledged_check_in_survives_a_killed_server():
    persons = Person.objects.bulk_create(
        [Person(name=f"居民{index}", grid_code=GRID_A) for index in range(SENDERS * EACH)])
    passes = {person.pk: pass_issue([person], channel=CheckInChannel.POSTER)
              for person in persons}
    port = free_port()
    environment = {**os.environ, "DATABASE_URL": database_url(),
                   "WANGGE_SECRET_KEY": settings.SECRET_KEY, "DATABASE_CONN_MAX_AGE": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "wsgi", "wangge.wsgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--blocking-threads", "8",
         "--no-ws"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    acknowledged: list[int] = []
    lock, enough, killed = threading.Lock(), threading.Event(), threading.Event()
    try:
        up(port, server)

        def sender(mine: list[int]) -> None:
            for person in mine:
                if killed.is_set():
                    return
                try:
                    received = send(port, person, passes[person])
                except (OSError, http.client.HTTPException):
                    return  # the server is gone
                if received:
                    with lock:
                        acknowledged.append(person)
                        if len(acknowledged) >= SENDERS * EACH // 4:
                            enough.set()

        ids = list(passes)
        threads = [threading.Thread(target=sender, args=(ids[start::SENDERS],))
                   for start in range(SENDERS)]
        for thread in threads:
            thread.start()
        assert enough.wait(120), "too few check-ins were acknowledged"
    finally:
        # At once, the master and its workers, while check-ins are still coming in.
        os.killpg(server.pid, signal.SIGKILL)
        killed.set()
        server.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)
    with lock:
        told = set(acknowledged)
    stored = set(CheckIn.objects.filter(person_id__in=told).values_list("person_id", flat=True))
    assert told - stored == set(), "acknowledged check-ins are missing"
    assert len(told) >= SENDERS * EACH // 4
    # It was killed in the middle: not everything sent was acknowledged.
    assert CheckIn.objects.count() < len(persons)
