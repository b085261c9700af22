"""Notifications: an in-app inbox, filed from the event loop's news, plus delivery on the
channels each person opts into per kind (``delivery.py``).
"""

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, IntegerField, QuerySet, Value
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.bulk import insert_from
from wangge.events.models import Event
from wangge.events.signals import event_news

from .delivery import INBOX, channels, preference_of, wanted_kinds
from .models import KINDS, Notification, NotificationPreference
from .tasks import deliver_notification
from .webhooks import webhook_target


@receiver(event_news)
def _file_news(sender: Any, signal: Any, **news: Any) -> None:
    notify(**news)


def notify(recipients: Iterable[User | None], *, kind: str, event: Event, actor: User | None = None,
           detail: str = "") -> list[Notification]:
    """Put a notification in each recipient's inbox (never the actor's own) and schedule
    its delivery on the channels the recipient chose for this kind."""
    return _file(recipients, kind=kind, actor=actor, event=event, detail=detail[:200])


def notify_about(recipients: Iterable[User | None], *, kind: str, wording: str,
                 values: dict[str, Any], link: str, actor: User | None = None
                 ) -> list[Notification]:
    """A notification about something other than an event (a lawful measure): ``wording``
    is an English msgid (mark it with ``gettext_noop``) composed with ``values`` in each
    reader's language when shown (string values are translated too, so a label's msgid may
    be passed); ``link`` is the page it opens. Filed and delivered like ``notify``."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return _file(recipients, kind=kind, actor=actor, wording=wording[:200],
                 values=values, link=link[:200])


def notify_about_all(recipients: QuerySet[User], *, kind: str, wording: str,
                     values: dict[str, Any], link: str, actor: User | None = None) -> int:
    """``notify_about`` for a query of recipients of any size (the residents a notice
    reaches): the inbox lines are inserted by the database from the query in one statement,
    never one per person, and a delivery is scheduled only for those whose saved preference
    asks for this kind on a channel (a preference row exists only for those who chose).
    Returns how many lines were filed."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    users = recipients.filter(is_active=True)
    if actor is not None:
        users = users.exclude(pk=actor.pk)
    chosen = list(NotificationPreference.objects.filter(user__in=users).select_related("user"))
    left_out = [p.user_id for p in chosen if kind not in wanted_kinds(p, INBOX)]
    now = timezone.now()
    content = {"kind": kind, "wording": wording[:200], "values": values, "link": link[:200],
               "detail": "",
               "created_at": now}
    constants = {f"_{name}": Value(value, output_field=cast(
        Field, Notification._meta.get_field(name))) for name, value in content.items()}
    filed = insert_from(Notification, ["recipient", "actor", *content], (
        users.exclude(pk__in=left_out)
        .annotate(_actor=Value(getattr(actor, "pk", None), output_field=IntegerField()),
                  **constants)
        .values_list("pk", "_actor", *constants)))
    deliveries = [(p.user_id, name) for p in chosen for name, channel in channels().items()
                  if kind in wanted_kinds(p, name) and channel.reachable(p)]
    if deliveries:
        ids = dict(Notification.objects.filter(
            recipient__in={user for user, _name in deliveries}, kind=kind, created_at=now,
            link=content["link"]).values_list("recipient", "pk"))
        for user, name in deliveries:
            if user in ids:
                _deliver_later(ids[user], name)
    return filed


def _file(recipients: Iterable[User | None], *, kind: str, actor: User | None,
          **content: Any) -> list[Notification]:
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
            recipient=user, kind=kind, actor=actor, created_at=now, **content)
        created.append(notification)
        for name, channel in channels().items():
            if kind in wanted_kinds(preference, name) and channel.reachable(preference):
                _deliver_later(notification.pk, name)
    return created


def _deliver_later(notification_id: int, channel: str) -> None:
    transaction.on_commit(lambda: deliver_notification.enqueue(notification_id, channel))


def preference_update(*, user: User, kinds: dict[str, list[str]], webhook_url: str = "",
                      webhook_format: str = "wecom") -> NotificationPreference:
    """Save what ``user`` wants on each channel (unknown channels and kinds are refused)."""
    unknown = set(kinds) - {INBOX, *channels()}
    bad_kinds = {kind for chosen in kinds.values() for kind in chosen} - set(KINDS)
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


