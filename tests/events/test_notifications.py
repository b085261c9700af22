"""Inbox, @mentions, comments, per-person preferences, and delivery by email and webhook."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from wangge.events.models import News
from wangge.events.services import event_assign, event_comment, event_transition
from wangge.notifications.delivery import describe
from wangge.notifications.models import Notification
from wangge.notifications.services import inbox_mark_read, preference_update


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id")
                .values_list("kind", flat=True))


def test_a_report_tells_the_grids_triage_people_but_not_the_reporter(loop):
    event = loop.report()
    assert kinds_of(loop.community) == [News.REPORTED]
    assert kinds_of(loop.worker) == []
    assert kinds_of(loop.outsider) == []
    notification = Notification.objects.get(recipient=loop.community)
    assert describe(notification) == f"New event {event.number} (井盖缺失或破损) in your area."


def test_dispatch_tells_the_organizations_responders_and_state_changes_the_reporter(loop):
    event = loop.report(by=loop.community)
    event = event_transition(event=event, name="accept", by=loop.worker)
    event_transition(event=event, name="dispatch", by=loop.worker, organization=loop.police)
    assert kinds_of(loop.department) == [News.DISPATCHED]
    assert kinds_of(loop.community) == [News.STATE, News.STATE]
    last = Notification.objects.filter(recipient=loop.community).order_by("id").last()
    assert describe(last) == f"{event.number} (井盖缺失或破损) is now: Dispatched."


def test_assignment_tells_the_assignee(loop):
    event = loop.report()
    event_assign(event=event, assignee=loop.department, by=loop.community)
    notification = Notification.objects.get(recipient=loop.department)
    assert notification.kind == News.ASSIGNED
    assert describe(notification) == f"community-1 assigned {event.number} (井盖缺失或破损) to you."


def test_mentions_tell_those_who_can_see_the_event_and_no_one_else(loop):
    event = loop.report()
    comment = event_comment(event=event, text="@police-desk 请看 @worker-c @nobody 一下",
                            by=loop.community)
    assert [u.username for u in comment.mentioned.all()] == ["police-desk"]
    assert kinds_of(loop.department) == [News.MENTION]
    assert kinds_of(loop.outsider) == []  # cannot see an event in another street
    assert kinds_of(loop.worker) == [News.COMMENT]  # the reporter follows it
    assert describe(Notification.objects.get(recipient=loop.department)) == (
        f"community-1 mentioned you on {event.number}: @police-desk 请看 @worker-c @nobody 一下")


def test_comments_are_refused_outside_the_jurisdiction_and_to_read_only_roles(loop):
    event = loop.report()
    with pytest.raises(PermissionDenied):
        event_comment(event=event, text="看看", by=loop.outsider)
    with pytest.raises(PermissionDenied):
        event_comment(event=event, text="看看", by=loop.auditor)
    with pytest.raises(ValidationError):
        event_comment(event=event, text="  ", by=loop.worker)


def test_a_person_chooses_what_reaches_the_inbox(loop):
    preference_update(user=loop.community, kinds={"inbox": [News.MENTION]})
    loop.report()
    assert kinds_of(loop.community) == []


def test_email_is_sent_for_the_kinds_chosen(loop, django_capture_on_commit_callbacks):
    loop.community.email = "staff@example.org"
    loop.community.save()
    preference_update(user=loop.community, kinds={"email": [News.REPORTED]})
    with django_capture_on_commit_callbacks(execute=True):
        event = loop.report()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff@example.org"]
    assert event.number in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        event_comment(event=event, text="补充", by=loop.worker)  # comment: not chosen
    assert len(mail.outbox) == 1


class _Bot(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        _Bot.received.append((self.path, self.headers["Content-Type"],
                              json.loads(self.rfile.read(length))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode":0}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def bot():
    """A real HTTP server standing in for a WeCom group bot."""
    _Bot.received = []
    server = HTTPServer(("127.0.0.1", 0), _Bot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=k", _Bot.received
    server.shutdown()
    server.server_close()


def test_a_group_chat_bot_receives_the_chosen_kinds(loop, bot, settings,
                                                    django_capture_on_commit_callbacks):
    settings.WANGGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the bot stands in locally
    url, received = bot
    preference_update(user=loop.community, kinds={"webhook": [News.REPORTED]},
                      webhook_url=url, webhook_format="wecom")
    with django_capture_on_commit_callbacks(execute=True):
        event = loop.report()
    assert len(received) == 1
    path, content_type, body = received[0]
    assert path == "/cgi-bin/webhook/send?key=k"
    assert content_type.startswith("application/json")
    assert body["msgtype"] == "text"
    assert event.number in body["text"]["content"]


def test_unknown_channels_and_kinds_are_refused(loop):
    with pytest.raises(ValidationError) as refused:
        preference_update(user=loop.worker, kinds={"pager": ["reported"], "email": ["spam"]})
    assert refused.value.message_dict == {"kinds": ["Unknown channel or kind: pager, spam."]}


def test_marking_the_inbox_read(loop):
    loop.report()
    loop.report()
    first = Notification.objects.filter(recipient=loop.community).first()
    assert inbox_mark_read(user=loop.community, ids=[first.pk]) == 1
    assert inbox_mark_read(user=loop.worker) == 0
    assert inbox_mark_read(user=loop.community) == 1
