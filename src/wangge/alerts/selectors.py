"""Reads of public alerts. Those who may publish (``PUBLISH_ALERTS``) see every alert that
touches their jurisdiction, exercises and tests included; anyone else signed in sees the real,
public warnings for their jurisdiction and the exercises they take part in. The public (no
account) sees only what the feed and a public CAP document show: real, public warnings."""

import datetime
import functools
import operator

from django.db.models import QuerySet

from wangge.access.models import Jurisdiction, User
from wangge.foundation.actors import Actor
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Action, can

from .models import Alert, AlertQuerySet, MessageType, PreparednessMessage


def alerts_visible_to(user: Actor) -> AlertQuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Alert.objects.none()
    touching = Alert.objects.in_scope(user.scope_prefixes)
    if not can(user, Action.PUBLISH_ALERTS):
        touching = touching.public() | Alert.objects.filter(
            pk__in=Alert.objects.filter(participants=user.pk).values("pk"))
    return touching.select_related("replaces", "replaced_by", "issued_by").prefetch_related(
        "grids", "participants")


def is_current(alert: Alert, now: datetime.datetime) -> bool:
    """``Alert.objects.current`` for one alert already read (with its ``replaced_by``)."""
    return (alert.msg_type != MessageType.CANCEL and not hasattr(alert, "replaced_by")
            and (alert.expires is None or alert.expires > now))


def public_alert(pk: int) -> Alert | None:
    """A real, public warning, for anyone (its CAP document is public, as the feed is)."""
    return Alert.objects.public().prefetch_related("grids").filter(pk=pk).first()


def preparedness_messages_visible_to(user: Actor) -> "QuerySet[PreparednessMessage]":
    if not can(user, Action.PUBLISH_ALERTS):
        return PreparednessMessage.objects.none()
    return PreparednessMessage.objects.in_scope(user.scope_prefixes)


def participants_choosable(user: Actor) -> "QuerySet[User]":
    """The active accounts that answer for a code in ``user``'s jurisdiction: those an
    exercise may name as participants."""
    prefixes = list(user.scope_prefixes)
    if "" in prefixes:
        return User.objects.filter(is_active=True).order_by("username")
    if not prefixes:
        return User.objects.none()
    within = Jurisdiction.objects.filter(functools.reduce(
        operator.or_, (prefix_range("code", prefix) for prefix in prefixes)))
    return User.objects.filter(is_active=True, pk__in=within.values("user_id")).order_by(
        "username")
