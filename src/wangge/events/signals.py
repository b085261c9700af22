"""What the event loop announces. The loop decides who should hear of a change; whoever
listens (``wangge.notifications``) files and delivers it, so events import no inbox."""

from collections.abc import Iterable

from django.dispatch import Signal

from wangge.access.models import User

from .models import Event, News

# Sent with recipients, kind (a ``News``), event, actor (a User or None) and detail.
event_news = Signal()


def announce(recipients: Iterable[User | None], *, kind: News, event: Event,
             actor: User | None = None, detail: str = "") -> None:
    """Tell ``recipients`` about ``event`` (the actor never hears of their own act)."""
    event_news.send(sender=Event, recipients=list(recipients), kind=kind, event=event,
                    actor=actor, detail=detail)
