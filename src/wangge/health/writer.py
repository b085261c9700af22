"""Group commit of residents' check-ins: many requests, one transaction.

A morning's check-ins come in bursts; one INSERT and COMMIT per request spends most of its time
waiting for the commit to reach the disk, one request after another. Here each web process
(each web server worker) has one writer thread and a bounded queue: a request hands its entries
over with a future and waits; the writer takes everything queued, stores it in one
transaction (``services.check_ins_save``: the same code path as every other check-in), and
only after COMMIT returns sets each future. So a request is answered "received" only once its
check-in is durable, and a process that dies before that has acknowledged nothing.

While one transaction commits the next requests queue up, so batches grow with the load and
no request waits for a timer. The queue is bounded (WANGGE_CHECKIN_QUEUE): when it is full the
request is refused at once (the page answers 503 with Retry-After) rather than memory growing.
A request inside a transaction of its own (tests, a caller that writes more) saves directly,
in that transaction.
"""

import logging
import os
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from django.conf import settings
from django.db import connection

from wangge.foundation.actors import SYSTEM, Actor

from .services import Entry, Outcome, check_ins_save

log = logging.getLogger(__name__)


class WriterBusyError(Exception):
    """The queue of check-ins waiting for their commit is full: try again in a moment."""


class WriterTimeoutError(Exception):
    """A check-in was not confirmed in time; it may still be stored (answering again only
    replaces the day's answer)."""


_Job = tuple[Sequence[Entry], Actor, "Future[Outcome]"]
_STOP: _Job = ((), SYSTEM, Future())


class GroupCommitWriter:
    """One writer thread per process, started on first use (and again in a forked child)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._queue: queue.Queue[_Job] = queue.Queue()

    def _started(self) -> "queue.Queue[_Job]":
        with self._lock:
            if self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=settings.WANGGE_CHECKIN_QUEUE)
                thread = threading.Thread(target=self._run, args=(self._queue,),
                                          name="check-in writer", daemon=True)
                thread.start()
                self._pid = os.getpid()
            return self._queue

    def submit(self, entries: Sequence[Entry], *, by: Actor) -> "Future[Outcome]":
        """Queue ``entries`` (one request's) for the next commit; WriterBusyError when the
        queue is full."""
        future: Future[Outcome] = Future()
        try:
            self._started().put_nowait((entries, by, future))
        except queue.Full as error:
            raise WriterBusyError from error
        return future

    def stop(self) -> None:
        """End the thread once what is queued is stored, and close its connection (tests)."""
        with self._lock:
            if self._pid == os.getpid():
                self._queue.put(_STOP)
                self._pid = 0

    def _run(self, jobs: "queue.Queue[_Job]") -> None:
        try:
            while True:
                batch = [jobs.get()]
                if batch[0] is not _STOP and settings.WANGGE_CHECKIN_GATHER_MS > 0:
                    # Let the requests being handled now join this transaction.
                    time.sleep(settings.WANGGE_CHECKIN_GATHER_MS / 1000)
                rows = len(batch[0][0])
                while rows < settings.WANGGE_CHECKIN_BATCH and batch[-1] is not _STOP:
                    try:
                        batch.append(jobs.get_nowait())
                    except queue.Empty:
                        break
                    rows += len(batch[-1][0])
                stopping = batch[-1] is _STOP
                self._commit([job for job in batch if job is not _STOP])
                if stopping:
                    return
        finally:
            connection.close()

    def _commit(self, batch: list[_Job]) -> None:
        # Requests of one actor (the residents' pages act as one system actor per building)
        # share a transaction; different actors' requests are checked separately.
        by_actor: dict[Actor, list[_Job]] = {}
        for job in batch:
            by_actor.setdefault(job[1], []).append(job)
        for actor, jobs in by_actor.items():
            entries = [entry for job_entries, _by, _future in jobs for entry in job_entries]
            try:
                outcome = check_ins_save(entries=entries, by=actor, partial=True)
            except Exception as error:  # the database refused the lot: say so to each
                log.warning("Check-ins not stored: %s", error, exc_info=True)
                # The thread keeps its connection from one batch to the next; a broken one
                # is opened afresh for the next batch (the refused requests may send again).
                connection.close()
                for _entries, _by, future in jobs:
                    future.set_exception(error)
                continue
            start = 0
            for job_entries, _by, future in jobs:
                future.set_result(_slice(outcome, start, len(job_entries)))
                start += len(job_entries)


def _slice(outcome: Outcome, start: int, length: int) -> Outcome:
    return Outcome(saved=outcome.saved[start:start + length],
                   refused={position - start: problems
                            for position, problems in outcome.refused.items()
                            if start <= position < start + length})


WRITER = GroupCommitWriter()


def check_ins_submit(*, entries: Sequence[Entry], by: Actor) -> Outcome:
    """Store one request's entries and return once they are durable: through the process's
    group commit, or directly when the caller is inside a transaction (which the writer's own
    connection could not see into). WriterBusyError when too many are waiting already,
    WriterTimeoutError when the commit does not come in time."""
    if connection.in_atomic_block:
        return check_ins_save(entries=entries, by=by, partial=True)
    future = WRITER.submit(entries, by=by)
    try:
        return future.result(timeout=settings.WANGGE_CHECKIN_WAIT_SECONDS)
    except TimeoutError as error:
        raise WriterTimeoutError from error
