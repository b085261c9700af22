"""Delivery: the channels a notification reaches besides the inbox, what each person
wants on each, and the wording, composed in the reader's language when shown or sent.

Channels (``settings.WANGGE_NOTIFICATION_CHANNELS``: email through Django's mail backends, a
webhook for group-chat bots, or any class with the same shape) deliver a copy after the
transaction commits, as a background task (``tasks.deliver_notification``).
"""

import json
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.models import User
from wangge.events.models import News, State

from .models import KINDS, Notification, NotificationPreference
from .webhooks import webhook_post

INBOX = "inbox"


class DeliveryChannel(Protocol):
    name: str
    label: Any

    def reachable(self, preference: NotificationPreference) -> bool:
        """Whether this person can be reached at all (an email address, a webhook URL)."""

    def send(self, notification: Notification, preference: NotificationPreference) -> None: ...


class EmailChannel:
    name = "email"
    label = gettext_lazy("Email")

    def reachable(self, preference: NotificationPreference) -> bool:
        return bool(preference.user.email)

    def send(self, notification: Notification, preference: NotificationPreference) -> None:
        text = describe(notification)
        send_mail(subject=text[:78], message=text, from_email=None,
                  recipient_list=[preference.user.email])


class WebhookChannel:
    """Posts to a group-chat bot (WeCom, DingTalk, Feishu) or any JSON endpoint on the
    internet (``webhooks``: never an internal address unless the deployment allows it)."""

    name = "webhook"
    label = gettext_lazy("Group-chat bot")

    def reachable(self, preference: NotificationPreference) -> bool:
        return bool(preference.webhook_url)

    def body(self, notification: Notification, preference: NotificationPreference) -> dict:
        text = describe(notification)
        if preference.webhook_format == "feishu":
            return {"msg_type": "text", "content": {"text": text}}
        if preference.webhook_format in ("wecom", "dingtalk"):
            return {"msgtype": "text", "text": {"content": text}}
        event = notification.event.number if notification.event is not None else None
        return {"text": text, "event": event, "kind": notification.kind}

    def send(self, notification: Notification, preference: NotificationPreference) -> None:
        webhook_post(preference.webhook_url,
                     json.dumps(self.body(notification, preference), ensure_ascii=False).encode())


@cache
def channels() -> dict[str, DeliveryChannel]:
    loaded = [import_string(path)() for path in settings.WANGGE_NOTIFICATION_CHANNELS]
    return {channel.name: channel for channel in loaded}


def preference_of(user: User) -> NotificationPreference:
    """The user's preference, unsaved defaults when they never chose."""
    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def wanted_kinds(preference: NotificationPreference, channel: str) -> set[str]:
    """Kinds delivered on ``channel``: the inbox takes every kind until told otherwise,
    other channels none; nothing is sent anywhere for a kind left out of the inbox."""
    default = KINDS if channel == INBOX else []
    kinds = set(preference.kinds.get(channel, default))
    return kinds if channel == INBOX else kinds & wanted_kinds(preference, INBOX)


def link_of(notification: Notification) -> str:
    """The page a notification opens: its event's, or the one it was filed with."""
    if notification.event_id is not None:
        return reverse("events:detail", args=[notification.event_id])
    return notification.link


def describe(notification: Notification) -> str:
    """The notification in the active language."""
    event = notification.event
    if event is None:  # about something else: its own wording, values translated too
        values = {name: _(value) if isinstance(value, str) and value else value
                  for name, value in notification.values.items()}
        return _(notification.wording) % values if values else _(notification.wording)
    values = {"number": event.number, "category": event.category.name,
              "actor": _display_name(notification.actor), "detail": notification.detail}
    kind = notification.kind
    if kind == News.STATE:
        values["detail"] = str(State(notification.detail).label) if notification.detail else ""
    wording = {
        News.REPORTED: _("New event %(number)s (%(category)s) in your area."),
        News.STATE: _("%(number)s (%(category)s) is now: %(detail)s."),
        News.DISPATCHED: _("%(number)s (%(category)s) was dispatched to %(detail)s."),
        News.ASSIGNED: _("%(actor)s assigned %(number)s (%(category)s) to you."),
        News.COMMENT: _("%(actor)s commented on %(number)s: %(detail)s"),
        News.MENTION: _("%(actor)s mentioned you on %(number)s: %(detail)s"),
        News.MERGED: _("Your report %(number)s was merged into %(detail)s; you "
                       "will be kept informed about it."),
        News.ESCALATED: _("%(number)s (%(category)s) is overdue and was "
                          "escalated to %(detail)s."),
        News.REOPENED: _("%(number)s (%(category)s) was reopened, the resident not "
                         "satisfied with it; it is now for %(detail)s."),
    }[News(kind)]
    return wording % values


def _display_name(user: User | None) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.get_username()


def deliver(notification_id: int, channel: str) -> None:
    """Send one notification on one channel, in the site's language (the recipient's own is
    not known). A notification deleted meanwhile is skipped."""
    notification = (Notification.objects.select_related("event__category", "actor",
                                                        "recipient")
                    .filter(pk=notification_id).first())
    if notification is None:
        return
    preference = preference_of(notification.recipient)
    with translation.override(settings.LANGUAGE_CODE):
        channels()[channel].send(notification, preference)


def channel_choices() -> list[tuple[str, Any]]:
    return [(INBOX, _("Inbox")), *((name, c.label) for name, c in channels().items())]
