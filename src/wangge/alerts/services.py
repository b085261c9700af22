"""Writes of public alerts: publish, update, cancel (each a new CAP message; an update or a
cancellation replaces the alert it names, which is then no longer current), the scheduled
preparedness messages of a community, and `wangge alerts-due`, which publishes those due.

Every write checks the actor's role (``PUBLISH_ALERTS``) and that every affected grid lies in
their jurisdiction, saves with history (who and why), and tells the people the alert is for
through the inbox (kind ALERT): the staff of the affected grids for a real warning; for an
exercise or a test its named participants only, marked as such.
"""

import calendar
import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor, user_of
from wangge.foundation.codes import Level, is_within, level_of
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, Role, require, require_in_scope
from wangge.notifications.models import ALERT
from wangge.notifications.services import notify_about

from .models import (
    Alert,
    Category,
    Certainty,
    MessageType,
    PreparednessMessage,
    Repeat,
    Scope,
    Severity,
    Status,
    Topic,
    Urgency,
)
from .signals import alert_saved

# What an update may change (an update is a whole new message: unchanged fields are copied).
INFO_FIELDS = ("category", "event", "urgency", "severity", "certainty", "headline",
               "description", "instruction", "effective", "onset", "expires", "web")
# Who hears of a real warning: the staff who answer for the affected grids.
STAFF_ROLES = (Role.GRID_WORKER, Role.COMMUNITY_STAFF)
# A preparedness message stays current this many days after its date.
PREPAREDNESS_DAYS = 7
TOPIC_CATEGORY = {Topic.NATURAL_HAZARDS: Category.MET, Topic.SAFETY: Category.SAFETY,
                  Topic.PUBLIC_HEALTH: Category.HEALTH}
WORDING = {
    Status.ACTUAL: gettext_noop("Warning (%(what)s): %(headline)s"),
    Status.EXERCISE: gettext_noop("[Exercise] Warning (%(what)s): %(headline)s"),
    Status.TEST: gettext_noop("[Test] Warning (%(what)s): %(headline)s"),
}


def _checked(alert: Alert, grids: list[Grid], participants: list[User]) -> None:
    """Refuse (naming each field) an alert that breaks CAP's rules or ours."""
    errors: dict[str, list[str]] = {}
    for name, choices in (("status", Status), ("category", Category), ("urgency", Urgency),
                          ("severity", Severity), ("certainty", Certainty)):
        if getattr(alert, name) not in choices.values:
            errors[name] = [_("Choose a value from the list.")]
    for name in ("event", "headline"):
        if not getattr(alert, name).strip():
            errors[name] = [_("This field is required.")]
    if not grids:
        errors["grids"] = [_("Name the affected grids.")]
    starts = alert.onset or alert.effective
    if alert.expires is not None and starts is not None and alert.expires <= starts:
        errors["expires"] = [_("The alert must expire after it takes effect.")]
    if alert.status == Status.ACTUAL and participants:
        errors["participants"] = [_("A real warning goes to the affected grids' staff; "
                                    "participants are for exercises and tests.")]
    if alert.status != Status.ACTUAL and not participants:
        errors["participants"] = [_("Name the participants: an exercise or a test reaches "
                                    "them only.")]
    if errors:
        raise ValidationError(errors)
    try:
        alert.full_clean(exclude=["replaces", "issued_by", "preparedness", "identifier",
                                  "sender", "sent", "scope", "msg_type"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _not_current() -> ValidationError:
    return ValidationError({"alert": _("This alert is no longer current: it was updated, "
                                       "cancelled or has expired.")})


def _save(alert: Alert, *, grids: list[Grid], participants: list[User], by: Actor,
          reason: str) -> Alert:
    """Check, number, date and save a new message, then tell those it is for."""
    require(by, Action.PUBLISH_ALERTS)
    for grid in grids:
        require_in_scope(by, grid.code, "grids")
    for person in participants:
        if not person.is_active or not any(is_within(code, by.scope_prefixes)
                                           for code in person.scope_prefixes):
            raise ValidationError({"participants": _(
                "Participants must be active accounts of your jurisdiction.")})
    _checked(alert, grids, participants)
    alert.identifier = f"urn:uuid:{uuid.uuid4()}"
    alert.sender = settings.WANGGE_CAP_SENDER
    alert.sent = timezone.now().replace(microsecond=0)
    alert.scope = Scope.PUBLIC if alert.status == Status.ACTUAL else Scope.RESTRICTED
    alert.issued_by = user_of(by)
    with transaction.atomic():
        try:
            with transaction.atomic():
                save_with_history(alert, by=by, reason=f"{alert.msg_type}: {reason}"[:100])
        except IntegrityError as error:
            if alert.replaces is None:
                raise
            # Another update or cancellation replaced it first (SQLite has no row lock).
            raise _not_current() from error
        alert.grids.set(grids)
        alert.participants.set(participants)
        _tell(alert, grids, participants, by)
        if alert.status == Status.ACTUAL:
            alert_saved.send(Alert, alert=alert, grids=grids, by=by)
    return alert


def _tell(alert: Alert, grids: list[Grid], participants: list[User], by: Actor) -> None:
    if alert.status == Status.ACTUAL:
        codes = [grid.code for grid in grids]
        communities = {grid.code[:12] for grid in grids}
        recipients: Iterable[User] = User.objects.filter(
            Q(role=Role.GRID_WORKER, jurisdictions__code__in=codes)
            | Q(role=Role.COMMUNITY_STAFF, jurisdictions__code__in=communities),
            is_active=True).distinct()
    else:
        recipients = participants
    notify_about(recipients, kind=ALERT, wording=WORDING[Status(alert.status)],
                 # A message type's value is its label's msgid: translated when shown.
                 values={"what": alert.msg_type, "headline": alert.headline},
                 link=reverse("alerts:detail", args=[alert.pk]), actor=user_of(by))


def alert_publish(*, grids: Iterable[Grid], status: str, category: str, event: str,
                  urgency: str, severity: str, certainty: str, headline: str,
                  description: str = "", instruction: str = "",
                  effective: datetime.datetime | None = None,
                  onset: datetime.datetime | None = None,
                  expires: datetime.datetime | None = None, web: str = "",
                  participants: Iterable[User] = (), by: Actor, reason: str) -> Alert:
    """Publish a new alert (CAP msgType Alert) for ``grids`` of the actor's jurisdiction."""
    reason = stated_reason(reason)
    alert = Alert(msg_type=MessageType.ALERT, status=status, category=category, event=event,
                  urgency=urgency, severity=severity, certainty=certainty,
                  headline=headline.strip(), description=description,
                  instruction=instruction, effective=effective, onset=onset,
                  expires=expires, web=web)
    return _save(alert, grids=list(grids), participants=list(participants), by=by,
                 reason=reason)


def _replacing(alert: Alert, msg_type: str, by: Actor, reason: str) -> Alert:
    """A new message of ``msg_type`` replacing ``alert``, its info copied; refused unless
    ``alert`` is current and every grid it covers is in the actor's jurisdiction."""
    require(by, Action.PUBLISH_ALERTS)
    for grid in alert.grids.all():
        require_in_scope(by, grid.code, "grids")
    if not Alert.objects.current(timezone.now()).filter(pk=alert.pk).exists():
        raise _not_current()
    return Alert(msg_type=msg_type, status=alert.status, replaces=alert,
                 note=stated_reason(reason)[:200],
                 **{name: getattr(alert, name) for name in INFO_FIELDS})


def alert_update(*, alert: Alert, by: Actor, reason: str,
                 grids: Iterable[Grid] | None = None, **changes: Any) -> Alert:
    """Publish an update of ``alert`` (CAP msgType Update, referencing it) with ``changes``
    to its info and, if given, new ``grids``; ``alert`` is then no longer current. The
    participants of an exercise stay the same."""
    if unknown := set(changes) - set(INFO_FIELDS):
        raise TypeError(f"not an alert's info: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        update = _replacing(alert, MessageType.UPDATE, by, reason)
        for name, value in changes.items():
            setattr(update, name, value.strip() if isinstance(value, str) else value)
        return _save(update, grids=list(alert.grids.all() if grids is None else grids),
                     participants=list(alert.participants.all()), by=by, reason=reason)


def alert_cancel(*, alert: Alert, by: Actor, reason: str) -> Alert:
    """Cancel ``alert`` (CAP msgType Cancel, referencing it, ``reason`` as its note)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        cancel = _replacing(alert, MessageType.CANCEL, by, reason)
        return _save(cancel, grids=list(alert.grids.all()),
                     participants=list(alert.participants.all()), by=by, reason=reason)


# --- scheduled preparedness messages ---------------------------------------------------------

def preparedness_message_save(*, message: PreparednessMessage, by: Actor, reason: str
                              ) -> PreparednessMessage:
    """Create or change a community's scheduled preparedness message."""
    require(by, Action.PUBLISH_ALERTS)
    reason = stated_reason(reason)
    code = message.community_code
    if len(code) != 12 or not code.isdigit() or level_of(code) != Level.COMMUNITY:
        raise ValidationError({"community_code": _("Choose a community.")})
    require_in_scope(by, code, "community_code")
    if not Grid.objects.filter(code__startswith=code).exists():
        raise ValidationError({"community_code": _("This community has no grids to tell.")})
    try:
        message.full_clean(exclude=["created_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    if message.pk is None:
        message.created_by = user_of(by)
    return save_with_history(message, by=by, reason=reason)


def _day(year: int, month: int, day: int) -> datetime.date:
    """The date, or the month's last day when it is shorter (31 → 30, 29 February → 28)."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def occurrence(message: PreparednessMessage, on: datetime.date) -> datetime.date | None:
    """The latest date on or before ``on`` when ``message`` is due (None before its first)."""
    first = message.starts_on
    if first > on:
        return None
    if message.repeat == Repeat.ONCE:
        return first
    if message.repeat == Repeat.YEARLY:
        candidate = _day(on.year, first.month, first.day)
        return candidate if candidate <= on else _day(on.year - 1, first.month, first.day)
    months = (on.year - first.year) * 12 + on.month - first.month
    year, month = divmod(first.month - 1 + months, 12)
    candidate = _day(first.year + year, month + 1, first.day)
    if candidate > on:
        year, month = divmod(first.month - 2 + months, 12)
        candidate = _day(first.year + year, month + 1, first.day)
    return candidate


def preparedness_due(*, on: datetime.date, by: Actor) -> list[Alert]:
    """Publish every active preparedness message due on ``on`` (its latest date, if that was
    less than ``PREPAREDNESS_DAYS`` ago) and not yet published for that date: run twice, a
    message is sent once (a unique constraint holds it under concurrent runs too)."""
    published = []
    for message in PreparednessMessage.objects.in_scope(by.scope_prefixes).filter(
            active=True, starts_on__lte=on):
        due = occurrence(message, on)
        if due is None or (on - due).days >= PREPAREDNESS_DAYS:
            continue
        if Alert.objects.filter(preparedness=message, due_on=due).exists():
            continue
        try:
            with transaction.atomic():
                published.append(_publish_preparedness(message, due, by))
        except IntegrityError:
            continue  # another run published it meanwhile
    return published


def _publish_preparedness(message: PreparednessMessage, due: datetime.date, by: Actor
                          ) -> Alert:
    start = timezone.make_aware(datetime.datetime.combine(due, datetime.time()))
    with translation.override(settings.LANGUAGE_CODE):
        event = str(Topic(message.topic).label)
    alert = Alert(msg_type=MessageType.ALERT, status=Status.ACTUAL,
                  category=TOPIC_CATEGORY[Topic(message.topic)], event=event,
                  urgency=Urgency.FUTURE, severity=Severity.MINOR, certainty=Certainty.LIKELY,
                  headline=message.headline, description=message.description,
                  instruction=message.instruction, effective=start,
                  expires=start + datetime.timedelta(days=PREPAREDNESS_DAYS),
                  preparedness=message, due_on=due)
    grids = list(Grid.objects.filter(code__startswith=message.community_code))
    return _save(alert, grids=grids, participants=[], by=by,
                 reason=_("Scheduled preparedness message for %(date)s")
                 % {"date": due.isoformat()})
