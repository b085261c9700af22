"""The hash chain: appends link entries, verify names entries altered or removed."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tests.factories import DISTRICT, make_user
from wangge.auditlog import chain
from wangge.auditlog.models import ChainHead, Entry, Kind
from wangge.auditlog.services import access_record
from wangge.foundation.permissions import Role


@pytest.fixture
def reader(world):
    return make_user(Role.DISTRICT_ADMIN, DISTRICT, username="reader")


def _read(reader, n: int = 1) -> list[Entry]:
    return [access_record(by=reader, kind=Kind.VIEW, request=None, fields=["phone"],
                          record_ids=[i]) for i in range(n)]


def test_each_entry_names_the_previous_hash(reader):
    first, second = _read(reader, 2)
    assert second.previous_hash == first.hash
    assert second.sequence == first.sequence + 1
    assert ChainHead.objects.get().hash == second.hash
    assert chain.verify().intact


def test_verify_names_an_entry_altered_in_sql_and_one_deleted(reader, capsys):
    entries = _read(reader, 5)
    altered, removed = entries[1], entries[3]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_entry SET count = 0, username = 'someone' "
                       "WHERE sequence = %s", [altered.sequence])
        cursor.execute("DELETE FROM auditlog_entry WHERE sequence = %s", [removed.sequence])
    with pytest.raises(CommandError, match="tampered"):
        call_command("audit", "verify")
    problems = capsys.readouterr().err
    assert f"entry {altered.sequence}: altered" in problems
    assert f"entry {removed.sequence}: removed" in problems
    assert f"entry {entries[2].sequence}" not in problems


def test_verify_finds_the_last_entry_removed_and_a_relinked_rewrite(reader):
    entries = _read(reader, 3)
    Entry.objects.filter(sequence=entries[-1].sequence).delete()
    assert chain.verify().problems == [f"entry {entries[-1].sequence}: removed"]

    # An entry rewritten with a fresh hash of its own still breaks the next one's link.
    entries = _read(reader, 3)
    rewritten = Entry.objects.get(sequence=entries[0].sequence)
    rewritten.count = 99
    with pytest.raises(TypeError):
        rewritten.save()  # not through the ORM, at least
    with pytest.raises(TypeError):
        rewritten.delete()
    Entry.objects.filter(pk=rewritten.pk).update(count=99, hash=chain.entry_hash(rewritten))
    assert f"entry {entries[1].sequence}: does not follow" in " ".join(chain.verify().problems)


def test_verify_prints_the_head_when_intact(reader, capsys):
    _read(reader, 2)
    call_command("audit", "verify")
    head = ChainHead.objects.get()
    assert head.hash in capsys.readouterr().out


def test_a_write_the_database_refuses_is_spooled_and_chained_later(reader, settings,
                                                                   tmp_path, monkeypatch):
    settings.WANGGE_ACCESS_LOG_SPOOL = tmp_path / "spool.jsonl"
    from django.db import OperationalError

    def locked(values):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patched:
        patched.setattr(chain, "append", locked)
        assert access_record(by=reader, kind=Kind.LIST, request=None, fields=["phone"],
                             record_ids=[1, 2, 3]) is None
    assert not Entry.objects.filter(kind=Kind.LIST).exists()
    assert chain.flush() == 1
    entry = Entry.objects.get(kind=Kind.LIST)
    assert (entry.kind, entry.count, entry.username) == ("list", 3, "reader")
    assert chain.verify().intact


def test_prune_removes_old_entries_from_the_start_and_the_chain_stays_verifiable(db):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for _ in range(3):
        chain.append({"kind": Kind.VIEW, "username": "someone", "count": 1, "at": long_ago})
    recent = chain.append({"kind": Kind.VIEW, "username": "someone", "count": 1})
    assert chain.prune(before=timezone.now() - datetime.timedelta(days=365)) == 3
    assert list(Entry.objects.order_by("sequence").values_list("sequence", flat=True)) == [
        recent.sequence, recent.sequence + 1]
    assert Entry.objects.get(sequence=recent.sequence + 1).kind == Kind.PRUNE
    assert chain.verify().intact


def test_retention_below_six_months_is_refused(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import wangge.settings as settings_module

    monkeypatch.setenv("WANGGE_ACCESS_LOG_RETENTION_DAYS", "90")
    with pytest.raises(ImproperlyConfigured, match="180"):
        importlib.reload(settings_module)
    monkeypatch.delenv("WANGGE_ACCESS_LOG_RETENTION_DAYS")
    importlib.reload(settings_module)
