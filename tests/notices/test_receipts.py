"""Read receipts (a resident opening the notice), acknowledgements of urgent notices counted
apart, told in person by the grid worker, the unread per grid on their to-do home, scheduled
notices published by `wangge notices-due`, and withdrawn ones shown withdrawn."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests.factories import COMMUNITY_1, GRID_A, GRID_B
from wangge.notices.models import Audience, Recipient
from wangge.notices.selectors import receipt_totals, receipts_by_grid
from wangge.notices.services import notice_create, notice_withdraw, recipient_told
from wangge.notifications.models import NOTICE, Notification
from wangge.residents.services import resident_account_for

from .conftest import TEXT, reached


def _community_notice(town, **fields):
    return notice_create(by=town.staff, audience=Audience.JURISDICTION, area_code=COMMUNITY_1,
                         **{**TEXT, **fields})


def test_opening_a_notice_is_reading_it(town, page_as):
    elder = resident_account_for(person=town.elder)
    resident_account_for(person=town.far)  # outside the audience: not told
    notice = _community_notice(town)
    # Told in the inbox: only those with an account (one line each, filed in bulk).
    assert list(Notification.objects.filter(kind=NOTICE).values_list("recipient", flat=True)
                ) == [elder.pk]
    client = page_as(elder)
    listed = client.get("/me/notices/")
    assert listed.status_code == 200
    assert "停水通知" in listed.content.decode()
    page = client.get(f"/me/notices/{notice.pk}/")
    assert page.status_code == 200
    assert "明日9时" in page.content.decode()
    receipt = Recipient.objects.get(notice=notice, person=town.elder)
    first = receipt.read_at
    assert first is not None
    client.get(f"/me/notices/{notice.pk}/")
    receipt.refresh_from_db()
    assert receipt.read_at == first  # the first reading is kept
    rows = {row["grid_code"]: row for row in receipts_by_grid(town.staff, notice)}
    assert (rows[GRID_A]["recipients"], rows[GRID_A]["read"], rows[GRID_A]["unread"]) == (2, 1, 1)
    assert rows[GRID_B]["unread"] == 1


def test_a_resident_opens_only_their_own_notices(town, page_as):
    notice = notice_create(by=town.worker_a, audience=Audience.GRIDS, grid_codes=[GRID_A],
                           **TEXT)
    neighbour = page_as(resident_account_for(person=town.neighbour))
    assert neighbour.get(f"/me/notices/{notice.pk}/").status_code == 404
    assert neighbour.post(f"/me/notices/{notice.pk}/acknowledge/").status_code == 404
    assert page_as(town.worker_a).get(f"/me/notices/{notice.pk}/").status_code == 403


def test_an_urgent_notice_asks_for_a_confirmation_counted_apart(town, page_as):
    notice = _community_notice(town, urgent=True)
    client = page_as(resident_account_for(person=town.elder))
    page = client.get(f"/me/notices/{notice.pk}/").content.decode()
    assert "I have read it" in page
    assert client.post(f"/me/notices/{notice.pk}/acknowledge/").status_code == 302
    totals = receipt_totals(receipts_by_grid(town.staff, notice))
    assert (totals["read"], totals["acknowledged"]) == (1, 1)
    plain = _community_notice(town)
    client.get(f"/me/notices/{plain.pk}/")
    client.post(f"/me/notices/{plain.pk}/acknowledge/")
    assert not Recipient.objects.filter(notice=plain, acknowledged_at__isnull=False).exists()


def test_the_grid_worker_sees_the_unread_and_marks_them_told_in_person(town, page_as):
    notice = _community_notice(town)
    worker = page_as(town.worker_a)
    home = worker.get("/").content.decode()
    assert f"/notices/{notice.pk}/unread/" in home
    unread = worker.get(f"/notices/{notice.pk}/unread/").content.decode()
    assert "老张" in unread
    assert "小明" in unread
    assert "李四" not in unread
    child = Recipient.objects.get(notice=notice, person=town.child)
    assert worker.post(f"/notices/receipts/{child.pk}/told/",
                       {"note": "上门告知"}).status_code == 302
    child.refresh_from_db()
    assert child.told_by == town.worker_a
    assert child.told_note == "上门告知"
    rows = {row["grid_code"]: row for row in receipts_by_grid(town.worker_a, notice)}
    assert set(rows) == {GRID_A}
    assert (rows[GRID_A]["told"], rows[GRID_A]["unread"], rows[GRID_A]["read"]) == (1, 1, 0)
    # Another grid's worker finds neither the receipt nor the notice's unread of grid A.
    neighbour = Recipient.objects.get(notice=notice, person=town.neighbour)
    assert worker.post(f"/notices/receipts/{neighbour.pk}/told/").status_code == 404
    with pytest.raises(ValidationError):
        recipient_told(recipient=child, by=town.worker_a)  # told already


def test_a_scheduled_notice_is_published_by_the_cron_command(town, capsys):
    later = timezone.now() + datetime.timedelta(hours=2)
    notice = _community_notice(town, publish_at=later)
    assert notice.published_at is None
    assert not reached(notice)
    call_command("notices-due")
    notice.refresh_from_db()
    assert notice.published_at is None
    notice.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    notice.save(update_fields=["publish_at"])
    call_command("notices-due")
    notice.refresh_from_db()
    assert notice.published_at is not None
    assert notice.recipient_count == 3
    assert reached(notice) == {town.elder, town.child, town.neighbour}
    call_command("notices-due")  # once only
    assert Recipient.objects.filter(notice=notice).count() == 3
    assert "Published 0 notices." in capsys.readouterr().out


def test_a_withdrawn_notice_is_shown_withdrawn_and_not_published_later(town, page_as):
    notice = _community_notice(town)
    with pytest.raises(PermissionDenied):  # a grid worker answers for grid A only
        notice_withdraw(notice=notice, by=town.worker_a, reason="错误")
    with pytest.raises(ValidationError):
        notice_withdraw(notice=notice, by=town.staff, reason=" ")
    notice_withdraw(notice=notice, by=town.staff, reason="时间有误")
    page = page_as(resident_account_for(person=town.elder)).get(f"/me/notices/{notice.pk}/")
    assert "withdrawn: 时间有误" in page.content.decode()
    assert f"/notices/{notice.pk}/unread/" not in page_as(town.worker_a).get("/").content.decode()
    scheduled = _community_notice(town, publish_at=timezone.now() + datetime.timedelta(hours=1))
    notice_withdraw(notice=scheduled, by=town.street, reason="取消")
    scheduled.publish_at = timezone.now() - datetime.timedelta(minutes=1)
    scheduled.save(update_fields=["publish_at"])
    call_command("notices-due")
    scheduled.refresh_from_db()
    assert scheduled.published_at is None
    assert not reached(scheduled)
