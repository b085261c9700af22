"""The measures' pages: propose, approve, lift, the list's filters, the appeals queue, the
person's page by signed link (confirm, see, appeal), masking and logged reads."""

import datetime

from django.utils import timezone

from tests.factories import SYSTEM
from wangge.auditlog.models import Entry
from wangge.measures.links import notice_token
from wangge.measures.models import Appeal, Measure, MeasureState
from wangge.measures.services import appeal_file, measure_approve


def _form(world, **overrides):
    today = timezone.localdate()
    data = {"kind": "home_monitoring", "cause": "与确诊病例同乘K123次列车",
            "legal_basis": world.basis.pk,
            "authority": world.street_office.pk, "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=13)).isoformat(),
            "responsible": world.worker.pk,
            "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "food": "代购", "medicine": "送药", "dependants_care": "无", "appeal_channel": "电话",
            "submit": "on"}
    data.update(overrides)
    return data


def test_propose_approve_and_lift_on_the_pages(world, page_as):
    page = page_as(world.community)
    form = page.get(f"/measures/new/?person={world.person.pk}")
    assert form.status_code == 200
    refused = page.post(f"/measures/new/?person={world.person.pk}", _form(world, food=""))
    assert refused.status_code == 200
    assert "Say what is arranged for food" in refused.content.decode()
    assert not Measure.objects.exists()
    done = page.post(f"/measures/new/?person={world.person.pk}", _form(world))
    measure = Measure.objects.get()
    assert done.url == f"/measures/{measure.pk}/"
    assert measure.state == MeasureState.PENDING
    district = page_as(world.district)
    waiting = district.get("/measures/?waiting=1").content.decode()
    assert "张伟" in waiting
    assert "张伟" not in page_as(world.street).get("/measures/?waiting=1").content.decode()
    district.post(f"/measures/{measure.pk}/approve/", {"reason": "同意"})
    measure.refresh_from_db()
    assert measure.state == MeasureState.ACTIVE
    shown = page.get(f"/measures/{measure.pk}/").content.decode()
    assert "/measures/notice/" in shown  # the person's link to send
    assert "与确诊病例同乘K123次列车" in shown
    page.post(f"/measures/{measure.pk}/lift/", {"reason": "解除"})
    measure.refresh_from_db()
    assert measure.state == MeasureState.LIFTED
    listed = page.get("/measures/?state=lifted").content.decode()
    assert "张伟" in listed
    assert "张伟" not in page.get("/measures/?state=active").content.decode()


def test_health_data_masked_by_role_and_reads_logged(world, page_as):
    measure = world.pending()
    worker, auditor = page_as(world.worker), page_as(world.auditor)
    before = Entry.objects.count()
    assert "与确诊病例同乘K123次列车" in worker.get(f"/measures/{measure.pk}/").content.decode()
    assert Entry.objects.count() == before + 1
    entry = Entry.objects.order_by("-sequence").first()
    assert entry.fields == "health_status"
    assert entry.record_ids == [world.person.pk]
    masked = auditor.get(f"/measures/{measure.pk}/").content.decode()
    assert "与确诊病例同乘K123次列车" not in masked
    assert "***" in masked
    assert Entry.objects.count() == before + 1  # a masked read leaves no trace
    assert page_as(world.volunteer).get(f"/measures/{measure.pk}/").status_code == 403


def test_the_person_sees_their_measure_and_appeals(world, client, page_as):
    measure = world.pending()
    measure_approve(measure=measure, by=world.district, reason="同意")
    url = f"/measures/notice/{notice_token(measure.pk)}/"
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"last_four": "0000"})
    assert "These are not the last four" in wrong.content.decode()
    shown = client.post(url, {"last_four": world.person.id_number[-4:]}).content.decode()
    assert "第三十九条" in shown
    assert measure.ends_on.isoformat() in shown
    assert "向大智街道办事处申诉" in shown
    assert "与确诊病例同乘K123次列车" not in shown  # the reason stays with the staff
    seen = shown.split('name="seen" value="')[1].split('"')[0]
    appeal_url = f"{url}appeal/"
    assert client.post(appeal_url, {"seen": "forged", "text": "x"}).status_code == 302
    filed = client.post(appeal_url, {"seen": seen, "text": "我已解除接触", "contact": "电话"})
    assert "Your appeal was received" in filed.content.decode()
    appeal = Appeal.objects.get()
    assert appeal.text == "我已解除接触"
    queue = page_as(world.street).get("/measures/appeals/").content.decode()
    assert "张伟" in queue
    answered = page_as(world.street).post(f"/measures/appeals/{appeal.pk}/",
                                          {"upheld": "0", "answer": "观察期未满"})
    assert answered.status_code == 302
    shown = client.post(url, {"last_four": world.person.id_number[-4:]}).content.decode()
    assert "观察期未满" in shown
    assert client.get("/measures/notice/forged/").status_code == 404


def test_overdue_appeals_are_shown(world, page_as, settings):
    measure = world.pending()
    measure_approve(measure=measure, by=world.district, reason="同意")
    appeal = appeal_file(measure=measure, text="申诉", by=SYSTEM)
    Appeal.objects.filter(pk=appeal.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    queue = page_as(world.street).get("/measures/appeals/").content.decode()
    assert "overdue" in queue
    assert "1 overdue" in page_as(world.street).get("/measures/").content.decode()
