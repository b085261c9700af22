"""Locust users of `wangge bench checkin` (bench/checkin.py runs Locust with this file, once per
endpoint): BENCH_PHASE says which endpoint, BENCH_DATA the file of persons (and, for the
check-in, each one's signed pass) to send, one line each, taken in turn.

Each user keeps one connection (as a phone's browser does) and sends without pause: the
server is driven as hard as these users can, and Locust measures each answer's time."""

import itertools
import os

from locust import FastHttpUser, constant, task

PHASE = os.environ["BENCH_PHASE"]
with open(os.environ["BENCH_DATA"], encoding="utf-8") as lines:
    ROWS = [line.rstrip("\n").split("\t") for line in lines if line.strip()]
NEXT = itertools.cycle(ROWS)
# A phone that has opened the page holds a CSRF cookie; the form sends its value back.
CSRF = "benchbenchbenchbenchbenchbench00"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Resident(FastHttpUser):
    wait_time = constant(0)

    @task
    def send(self) -> None:
        person, grid, passed = next(NEXT)
        if PHASE == "bare":
            self.client.post("/bench/bare", data="x=1", headers=FORM, name="bare")
        elif PHASE == "insert":
            self.client.post("/bench/insert", data=f"person={person}&grid={grid}",
                             headers=FORM, name="insert")
        else:
            with self.client.post(
                "/checkin/answers/", name="check-in", catch_response=True,
                data=f"csrfmiddlewaretoken={CSRF}&temperature-{person}=36.6",
                headers={**FORM, "Cookie": f"csrftoken={CSRF}; wg_checkin={passed}"},
            ) as response:
                # Acknowledged: the receipt, only sent once the check-in is durable.
                if response.status_code != 200 or b'class="receipt"' not in response.content:
                    response.failure(f"{response.status_code}")
