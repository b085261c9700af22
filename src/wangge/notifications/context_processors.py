"""The unread count beside "Inbox" in the navigation (one indexed count per page)."""

from typing import Any

from django.http import HttpRequest

from .models import Notification


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(
        recipient=user, read_at__isnull=True).count()}
