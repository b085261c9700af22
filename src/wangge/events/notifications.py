"""Notifications: an in-app inbox, plus delivery channels each person opts into per kind.

The inbox row is the record. Channels (``settings.WANGGE_NOTIFICATION_CHANNELS``: email
through Django's mail backends, a webhook for group-chat bots, or any class with the same
shape) deliver a copy after the transaction commits, as a background task.
"""

import json
from collections.abc import Iterable
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.models import User

from .models import Event, Notification, NotificationKind, NotificationPreference, State
from .webhooks import webhook_post, webhook_target

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
        return {"text": text, "event": notification.event.number, "kind": notification.kind}

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
    default = NotificationKind.values if channel == INBOX else []
    kinds = set(preference.kinds.get(channel, default))
    return kinds if channel == INBOX else kinds & wanted_kinds(preference, INBOX)


def describe(notification: Notification) -> str:
    """The notification in the active language."""
    event = notification.event
    values = {"number": event.number, "category": event.category.name,
              "actor": _display_name(notification.actor), "detail": notification.detail}
    kind = notification.kind
    if kind == NotificationKind.STATE:
        values["detail"] = State(notification.detail).label if notification.detail else ""
    wording = {
        NotificationKind.REPORTED: _("New event %(number)s (%(category)s) in your area."),
        NotificationKind.STATE: _("%(number)s (%(category)s) is now: %(detail)s."),
        NotificationKind.DISPATCHED: _("%(number)s (%(category)s) was dispatched to "
                                       "%(detail)s."),
        NotificationKind.ASSIGNED: _("%(actor)s assigned %(number)s (%(category)s) to you."),
        NotificationKind.COMMENT: _("%(actor)s commented on %(number)s: %(detail)s"),
        NotificationKind.MENTION: _("%(actor)s mentioned you on %(number)s: %(detail)s"),
        NotificationKind.MERGED: _("Your report %(number)s was merged into %(detail)s; you "
                                   "will be kept informed about it."),
        NotificationKind.ESCALATED: _("%(number)s (%(category)s) is overdue and was "
                                      "escalated to %(detail)s."),
    }[kind]
    return wording % values


def _display_name(user: User | None) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.get_username()


def notify(recipients: Iterable[User], *, kind: str, event: Event, actor: User | None = None,
           detail: str = "") -> list[Notification]:
    """Put a notification in each recipient's inbox (never the actor's own) and schedule
    its delivery on the channels the recipient chose for this kind."""
    unique = {user.pk: user for user in recipients
              if user is not None and user.is_active and user != actor}
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(
        user_id__in=unique)}
    created = []
    now = timezone.now()
    for user in unique.values():
        preference = preferences.get(user.pk) or NotificationPreference(user=user)
        preference.user = user
        if kind not in wanted_kinds(preference, INBOX):
            continue
        notification = Notification.objects.create(
            recipient=user, event=event, kind=kind, actor=actor, detail=detail[:200],
            created_at=now)
        created.append(notification)
        for name, channel in channels().items():
            if kind in wanted_kinds(preference, name) and channel.reachable(preference):
                _deliver_later(notification.pk, name)
    return created


def _deliver_later(notification_id: int, channel: str) -> None:
    from .tasks import deliver_notification  # tasks import this module

    transaction.on_commit(lambda: deliver_notification.enqueue(notification_id, channel))


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


def preference_update(*, user: User, kinds: dict[str, list[str]], webhook_url: str = "",
                      webhook_format: str = "wecom") -> NotificationPreference:
    """Save what ``user`` wants on each channel (unknown channels and kinds are refused)."""
    unknown = set(kinds) - {INBOX, *channels()}
    bad_kinds = {kind for chosen in kinds.values() for kind in chosen} - set(
        NotificationKind.values)
    if unknown or bad_kinds:
        raise ValidationError({"kinds": _("Unknown channel or kind: %(names)s.")
                               % {"names": ", ".join(sorted(unknown | bad_kinds))}})
    preference = preference_of(user)
    preference.kinds = {channel: sorted(set(chosen)) for channel, chosen in kinds.items()}
    preference.webhook_url, preference.webhook_format = webhook_url.strip(), webhook_format
    if preference.webhook_url:
        try:
            webhook_target(preference.webhook_url)
        except ValidationError as error:
            raise ValidationError({"webhook_url": error.messages}) from error
    preference.full_clean()
    preference.save()
    return preference


def inbox_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of ``user``'s unread notifications read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def channel_choices() -> list[tuple[str, Any]]:
    return [(INBOX, _("Inbox")), *((name, c.label) for name, c in channels().items())]
