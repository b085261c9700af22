"""The group commit: requests of one process share a transaction, each learns its own
outcome only once the transaction is done, a full queue refuses at once, and a failed
transaction fails each of its requests (none is told "received")."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from wangge.foundation.actors import system_actor
from wangge.health import writer
from wangge.health.models import CheckIn, CheckInChannel, EnteredBy
from wangge.health.services import Entry, Outcome, Saved, answer_checked

BY = system_actor("tests")


def entry(person_id: int) -> Entry:
    return Entry(person_id=person_id, answer=answer_checked(temperature="36.5"),
                 entered_by=EnteredBy.SELF, channel=CheckInChannel.POSTER)


@pytest.fixture
def fresh_writer(monkeypatch, settings):
    settings.WANGGE_CHECKIN_QUEUE = 4
    fresh = writer.GroupCommitWriter()
    monkeypatch.setattr(writer, "WRITER", fresh)
    yield fresh
    fresh.stop()  # and its connection closed: the test database can be dropped


def test_requests_share_a_transaction_and_learn_their_own_outcome(monkeypatch, fresh_writer):
    gate, entered, batches = threading.Event(), threading.Event(), []

    def saved(*, entries, by, partial):
        entered.set()
        gate.wait(5)
        batches.append([item.person_id for item in entries])
        refused = {index: {"person": ["no"]} for index, item in enumerate(entries)
                   if item.person_id == 3}
        return Outcome(saved=[None if index in refused else Saved(
            person_id=item.person_id, name=str(item.person_id), day=None, updated=False,
            alert=False) for index, item in enumerate(entries)], refused=refused)

    monkeypatch.setattr(writer, "check_ins_save", saved)
    first = fresh_writer.submit([entry(1)], by=BY)
    assert entered.wait(5)  # the writer took it, and is storing it
    futures = [fresh_writer.submit([entry(2), entry(3)], by=BY),
               fresh_writer.submit([entry(4)], by=BY)]
    assert not any(future.done() for future in [first, *futures])  # nothing before commit
    gate.set()
    assert [saved.person_id for saved in first.result(5).saved] == [1]
    two_three = futures[0].result(5)
    assert [item and item.person_id for item in two_three.saved] == [2, None]
    assert two_three.refused == {1: {"person": ["no"]}}
    assert [saved.person_id for saved in futures[1].result(5).saved] == [4]
    assert batches[1:] == [[2, 3, 4]]  # queued meanwhile: one transaction


def test_a_full_queue_refuses_at_once(monkeypatch, fresh_writer):
    gate, entered = threading.Event(), threading.Event()
    monkeypatch.setattr(writer, "check_ins_save",
                        lambda **kwargs: (entered.set(), gate.wait(5), Outcome(saved=[None]))[2])
    taken = fresh_writer.submit([entry(1)], by=BY)
    assert entered.wait(5)  # the writer is storing it: the queue is empty
    for number in range(4):  # the queue's room (WANGGE_CHECKIN_QUEUE)
        fresh_writer.submit([entry(number)], by=BY)
    with pytest.raises(writer.WriterBusyError):
        fresh_writer.submit([entry(9)], by=BY)
    gate.set()
    taken.result(5)


def test_a_failed_transaction_fails_every_request_in_it(monkeypatch, fresh_writer):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(writer, "check_ins_save", broken)
    future = fresh_writer.submit([entry(1)], by=BY)
    with pytest.raises(RuntimeError):
        future.result(5)


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_request_goes_through_the_writer(town, fresh_writer):
    """As in the web server: concurrent requests, each answered once its check-in is stored
    by the writer thread's own connection."""
    people = [town.head, town.spouse, town.child, town.neighbour]
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(
            lambda person: writer.check_ins_submit(entries=[entry(person.pk)], by=BY), people))
    assert [outcome.saved[0].person_id for outcome in outcomes] == [p.pk for p in people]
    assert CheckIn.objects.count() == 4


def test_requests_within_the_gathering_window_share_a_transaction(monkeypatch, settings,
                                                                  fresh_writer):
    """The writer waits WANGGE_CHECKIN_GATHER_MS after the first request of a transaction, so
    that those being handled at that moment join it (a busy process commits less often)."""
    settings.WANGGE_CHECKIN_GATHER_MS = 300
    batches = []

    def saved(*, entries, by, partial):
        batches.append([item.person_id for item in entries])
        return Outcome(saved=[Saved(person_id=item.person_id, name="", day=None,
                                    updated=False, alert=False) for item in entries])

    monkeypatch.setattr(writer, "check_ins_save", saved)
    first = fresh_writer.submit([entry(1)], by=BY)
    time.sleep(0.05)  # the writer has taken the first one, and waits for more
    second = fresh_writer.submit([entry(2)], by=BY)
    assert [item.person_id for item in first.result(5).saved] == [1]
    assert [item.person_id for item in second.result(5).saved] == [2]
    assert batches == [[1, 2]]
