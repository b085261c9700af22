"""Notifications: an in-app inbox, filed from the event loop's news, plus delivery on the
channels each person opts into per kind (``delivery.py``).
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.events.models import Event, News
from wangge.events.signals import event_news

from .delivery import INBOX, channels, preference_of, wanted_kinds
from .models import Notification, NotificationPreference
from .tasks import deliver_notification
from .webhooks import webhook_target


@receiver(event_news)
def _file_news(sender: Any, signal: Any, **news: Any) -> None:
    notify(**news)


def notify(recipients: Iterable[User | None], *, kind: str, event: Event, actor: User | None = None,
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
    transaction.on_commit(lambda: deliver_notification.enqueue(notification_id, channel))


def preference_update(*, user: User, kinds: dict[str, list[str]], webhook_url: str = "",
                      webhook_format: str = "wecom") -> NotificationPreference:
    """Save what ``user`` wants on each channel (unknown channels and kinds are refused)."""
    unknown = set(kinds) - {INBOX, *channels()}
    bad_kinds = {kind for chosen in kinds.values() for kind in chosen} - set(
        News.values)
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


