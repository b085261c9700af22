"""Writes of patrols: start, check off a building, record a finding (an event), end.

Only the patroller changes their own patrol, and only while it is open. A finding is filed
through ``events.services.event_report`` (the one way an event is made), then linked here.
"""

from collections.abc import Iterable
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.divisions.models import Grid
from wangge.events.models import Category, Channel, Event
from wangge.events.photos import photos_prepared
from wangge.events.services import event_report
from wangge.foundation.history import save_with_history
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.places.models import Building

from .models import Patrol, PatrolFinding, PatrolVisit


@transaction.atomic
def patrol_start(*, grid_code: str, by: User, note: str = "") -> Patrol:
    """Start walking ``grid_code``; refused while ``by`` has a patrol open."""
    require(by, Action.PATROL)
    require_in_scope(by, grid_code)
    if not Grid.objects.filter(code=grid_code).exists():
        raise ValidationError({"grid_code": _("There is no grid %(code)s.") % {"code": grid_code}})
    # Lock the patroller's row: two starts at once (a double tap) cannot both pass the check.
    User.objects.select_for_update().filter(pk=by.pk).first()
    current = Patrol.objects.filter(patroller=by).open().first()
    if current is not None:
        started = date_format(timezone.localtime(current.started_at), "SHORT_DATETIME_FORMAT")
        raise ValidationError({"grid_code": _(
            "You are already on a patrol (started %(time)s); end it first.")
            % {"time": started}})
    patrol = Patrol(patroller=by, grid_code=grid_code, started_at=timezone.now(),
                    note=note.strip())
    return save_with_history(patrol, by=by, reason=_("patrol started"))


def patrol_require_own_open(*, patrol: Patrol, by: User) -> None:
    """Refuse anyone but the patroller (PermissionDenied), and a patrol that has ended
    (ValidationError): pages check it before showing a form that would change the patrol."""
    require(by, Action.PATROL)
    if patrol.patroller_id != by.pk:
        raise PermissionDenied(_("Only the patroller may change this patrol."))
    if not patrol.is_open:
        raise ValidationError(_("This patrol has ended."))


@transaction.atomic
def patrol_end(*, patrol: Patrol, by: User, note: str = "") -> Patrol:
    patrol_require_own_open(patrol=patrol, by=by)
    patrol.ended_at = timezone.now()
    if note.strip():
        patrol.note = "\n".join(part for part in (patrol.note, note.strip()) if part)
    return save_with_history(patrol, by=by, reason=_("patrol ended"))


def _require_in_grid(patrol: Patrol, building: Building, field: str = "building") -> None:
    if building.grid_code != patrol.grid_code:
        raise ValidationError({field: _("%(building)s is not in the grid of this patrol.")
                               % {"building": building.name}})


@transaction.atomic
def patrol_visit(*, patrol: Patrol, building: Building, by: User,
                 note: str = "") -> PatrolVisit:
    """Check off ``building`` as visited on ``patrol``; checking it again changes nothing."""
    patrol_require_own_open(patrol=patrol, by=by)
    _require_in_grid(patrol, building)
    visit = PatrolVisit.objects.filter(patrol=patrol, building=building).first()
    if visit is not None:
        return visit
    visit = PatrolVisit(patrol=patrol, building=building, visited_at=timezone.now(),
                        note=note.strip())
    return save_with_history(visit, by=by, reason=_("visited on patrol"))


def patrol_record_finding(
    *, patrol: Patrol, by: User, category: Category, description: str,
    priority: str = "normal", building: Building | None = None,
    longitude: float | None = None, latitude: float | None = None, address: str = "",
    photos: Iterable[IO[bytes]] = (), channel: str = Channel.WEB,
) -> Event:
    """Report what was found on ``patrol`` as an event, in one step: filed through the events
    service (deadline, grid, notifications), linked to the patrol, and its building (if any)
    checked off as visited."""
    patrol_require_own_open(patrol=patrol, by=by)
    if building is not None:
        _require_in_grid(patrol, building)
    prepared = photos_prepared(photos)  # decoded before the transaction: see photos.py
    with transaction.atomic():
        event = event_report(category=category, description=description, priority=priority,
                             building=building, longitude=longitude, latitude=latitude,
                             address=address, photos=prepared, channel=channel, by=by)
        PatrolFinding.objects.create(patrol=patrol, event=event)
        if building is not None:
            patrol_visit(patrol=patrol, building=building, by=by)
    return event
