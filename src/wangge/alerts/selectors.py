"""Reads of public alerts. Those who may publish (``PUBLISH_ALERTS``) see every alert that
touches their jurisdiction, exercises and tests included; anyone else signed in sees the real,
public warnings for their jurisdiction and the exercises they take part in. The public (no
account) sees only what the feed and a public CAP document show: real, public warnings."""

import datetime
import functools
import operator

from django.db.models import Q, QuerySet

from wangge.access.models import Jurisdiction, User
from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor
from wangge.foundation.codes import prefix_range
from wangge.foundation.permissions import Action, can

from .models import Alert, AlertQuerySet, MessageType, PreparednessMessage, Scope, Status


def _touching(prefixes: list[str]) -> Q:
    """Alerts with an affected grid in one of ``prefixes``."""
    if "" in prefixes:
        return Q()
    if not prefixes:
        return Q(pk__in=[])
    grids = Grid.objects.filter(functools.reduce(
        operator.or_, (prefix_range("code", prefix) for prefix in prefixes)))
    return Q(pk__in=Alert.objects.filter(grids__in=grids).values("pk"))


def alerts_visible_to(user: Actor) -> AlertQuerySet:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Alert.objects.none()
    touching = _touching(list(user.scope_prefixes))
    if can(user, Action.PUBLISH_ALERTS):
        visible = Alert.objects.filter(touching)
    else:
        visible = Alert.objects.filter(
            (touching & Q(status=Status.ACTUAL, scope=Scope.PUBLIC))
            | Q(pk__in=Alert.objects.filter(participants=user.pk).values("pk")))
    return visible.select_related("replaces", "replaced_by", "issued_by").prefetch_related(
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
