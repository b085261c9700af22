"""Reads of the inbox: only ever one's own."""

from django.db.models import QuerySet

from wangge.access.models import User

from .models import Notification


def inbox_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related(
        "event__category", "actor")
