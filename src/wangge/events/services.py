"""Writes of the event loop: report, transitions, assignment, merging, comments, escalation.

Each checks the actor against ``workflow`` (role, scope, state), saves through
``history.save_with_history``, records an ``EventTransition`` for the timeline, and notifies.
"""

import datetime
import re
from collections.abc import Iterable
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.divisions.models import Division
from wangge.divisions.selectors import grid_at
from wangge.foundation.actors import Actor, SystemActor, actor_checked, user_of
from wangge.foundation.codes import Level, is_within, level_of, parent_code
from wangge.foundation.history import save_with_history
from wangge.foundation.permissions import Action, can, require, require_in_scope
from wangge.organizations.models import Organization
from wangge.places.models import Building, Dwelling

from . import workflow
from .models import (
    RATING_COMMENT_MAX,
    Category,
    Channel,
    DispatchDefault,
    Event,
    EventComment,
    EventPhoto,
    EventRating,
    EventTransition,
    News,
    PhotoStage,
    RatingSource,
    Responder,
    Satisfaction,
    State,
)
from .photos import PreparedPhoto, photo_files_removed_on_error, photos_add, photos_prepared
from .selectors import dispatch_targets, followers, responder_candidates, triage_users_at
from .signals import announce
from .tally import tally_rebuild, tally_refresh, top_categories

MENTION = re.compile(r"@([\w.+-]+)")


def _record(event: Event, action: str, *, source: str, by: Actor, comment: str = "",
            now: datetime.datetime, target: str | None = None) -> None:
    EventTransition.objects.create(event=event, action=action, source=source,
                                   target=target or event.state, actor=user_of(by), at=now,
                                   comment=comment)


def _place(event: Event) -> None:
    """Set the event's grid from its dwelling, building or point."""
    if event.dwelling is not None:
        event.building = event.dwelling.building
    if event.building is not None:
        event.grid_code = event.building.grid_code
        if event.longitude is None or event.latitude is None:
            event.longitude, event.latitude = event.building.longitude, event.building.latitude
        event.address = event.address or event.building.address
        return
    if event.longitude is None or event.latitude is None:
        raise ValidationError({"longitude": _("Give the location of the event, or its "
                                              "building.")})
    if not (-180 <= event.longitude <= 180 and -90 <= event.latitude <= 90):
        raise ValidationError({"longitude": _("Longitude and latitude are out of range.")})
    grid = grid_at(event.longitude, event.latitude)
    if grid is None:
        raise ValidationError({"longitude": _("No grid contains this location.")})
    event.grid_code = grid.code


def event_report(
    *, category: Category, description: str, by: Actor,
    priority: str = "normal", longitude: float | None = None, latitude: float | None = None,
    building: Building | None = None, dwelling: Dwelling | None = None, address: str = "",
    photos: Iterable[IO[bytes] | PreparedPhoto] = (), channel: str = Channel.WEB,
) -> Event:
    """File an event; its deadline follows from the category and priority. The photos are
    decoded before the transaction opens (callers that open one first prepare them)."""
    require(by, Action.REPORT_EVENTS)
    errors = {}
    if not category.active:
        errors["category"] = [_("This category is no longer in use.")]
    if not description.strip():
        errors["description"] = [_("Describe what you found.")]
    if errors:
        raise ValidationError(errors)
    prepared = photos_prepared(photos)
    with transaction.atomic():
        now = timezone.now()
        event = Event(category=category, description=description.strip(), priority=priority,
                      longitude=longitude, latitude=latitude, building=building,
                      dwelling=dwelling, address=address.strip(), reporter=user_of(by),
                      channel=channel, reported_at=now)
        _place(event)
        require_in_scope(by, event.grid_code, "longitude")
        event.deadline = now + category.time_allowed(priority)
        event.escalate_after = event.deadline
        event.responsible_code = event.grid_code
        event.full_clean()
        save_with_history(event, by=by, reason=_("reported"))
        tally_refresh([event])
        stored = photos_add(event=event, uploads=prepared, by=user_of(by))  # none: the public
        with photo_files_removed_on_error(stored):
            _record(event, "report", source="", by=by, now=now)
            announce(triage_users_at(event.grid_code), kind=News.REPORTED,
                     event=event, actor=user_of(by))
    return event


def event_photos_add(*, event: Event, uploads: Iterable[IO[bytes]], by: Actor,
                     stage: str = PhotoStage.REPORT) -> list[EventPhoto]:
    """Attach photos to ``event`` (taken at ``stage``): for those who may comment on it in
    their jurisdiction; each checked and stripped of its metadata like the report's, before
    the transaction."""
    require(by, Action.COMMENT_EVENTS)
    if not is_within(event.grid_code, by.scope_prefixes):
        raise PermissionDenied(_("This event is outside your jurisdiction."))
    uploads = list(uploads)
    if not uploads:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    prepared = photos_prepared(uploads)
    with transaction.atomic():
        return photos_add(event=event, uploads=prepared, by=user_of(by), stage=stage)


def event_transition(
    *, event: Event, name: str, by: Actor, comment: str = "",
    organization: Organization | None = None, deadline: datetime.datetime | None = None,
    photos: Iterable[IO[bytes] | PreparedPhoto] = (),
) -> Event:
    """Move ``event`` along the loop (``workflow.TRANSITIONS[name]``); refused with a clear
    message when the actor, the state or the input does not allow it. The result reported
    back (``feedback``) may carry photos taken after handling; they are decoded before the
    transaction opens, like a report's."""
    if name not in workflow.TRANSITIONS:
        raise ValidationError({"action": _("Unknown action %(name)s.") % {"name": name}})
    prepared = photos_prepared(photos)
    if prepared and name != "feedback":
        raise ValidationError({"photos": _("Photos of the result go with the report of the "
                                           "result.")})
    with transaction.atomic():
        return _transition(event=event, transition=workflow.TRANSITIONS[name], by=by,
                           comment=comment, organization=organization, deadline=deadline,
                           photos=prepared)


def _transition(*, event: Event, transition: workflow.Transition, by: Actor, comment: str,
                organization: Organization | None, deadline: datetime.datetime | None,
                photos: list[PreparedPhoto]) -> Event:
    # of=self: PostgreSQL locks no row on the nullable side of the organization's join.
    event = (Event.objects.select_for_update(of=("self",)).select_related("organization")
             .get(pk=event.pk))
    workflow.refuse(by, event, transition, comment)
    now = timezone.now()
    steps = [workflow.TRANSITIONS[step] for step in transition.steps] or [transition]
    source = event.state
    if transition.name == "dispatch":
        _dispatch(event, organization=organization, deadline=deadline, now=now, by=by)
    elif transition.name == "return":
        event.organization = event.handler = None
    elif transition.name in ("start", "feedback") and isinstance(by, User):
        event.handler = by  # 承办人: who took it in hand, or reported the result
    event.state = transition.target
    if not event.is_open:
        event.escalate_after = None
        event.closed_at = now
    save_with_history(event, by=by, reason=comment or str(transition.label))
    tally_refresh([event])
    stored = photos_add(event=event, uploads=photos, by=user_of(by), stage=PhotoStage.AFTER)
    with photo_files_removed_on_error(stored):
        # Each step is recorded as if made alone: the timeline (and the public one) shows
        # "verified" and "closed" even when one tap made both.
        for step in steps:
            _record(event, step.name, source=source, target=step.target, by=by,
                    comment=comment.strip(), now=now)
            source = step.target
        told: set[int] = set()
        if transition.name == "dispatch":
            responders = [r.user for r in event.organization.responders.select_related("user")]
            announce(responders, kind=News.DISPATCHED, event=event, actor=user_of(by),
                     detail=event.organization.name)
            told = {user.pk for user in responders}
        announce([user for user in followers(event) if user.pk not in told],
                 kind=News.STATE, event=event, actor=user_of(by), detail=event.state)
    return event


def _dispatch(event: Event, *, organization: Organization | None,
              deadline: datetime.datetime | None, now: datetime.datetime,
              by: Actor) -> None:
    if organization is None:
        raise ValidationError({"organization": _("Choose the organization or department "
                                                 "that is to handle the event.")})
    if not dispatch_targets(by, event).filter(pk=organization.pk).exists():
        raise ValidationError({"organization": _("%(name)s does not serve this grid.")
                               % {"name": organization.name}})
    if deadline is not None:
        if deadline <= now:
            raise ValidationError({"deadline": _("The deadline must be in the future.")})
        event.deadline = deadline
        event.escalate_after = deadline
    event.organization = organization


@transaction.atomic
def event_assign(*, event: Event, assignee: User, by: Actor) -> Event:
    """Give ``event`` to one person to handle; they are told in their inbox."""
    require(by, Action.TRIAGE_EVENTS)
    _require_open_in_scope(event, by)
    if not (can(assignee, Action.HANDLE_EVENTS)
            and is_within(event.grid_code, assignee.scope_prefixes)):
        raise ValidationError({"assignee": _("%(name)s cannot handle events in this grid.")
                               % {"name": assignee.get_username()}})
    event.assignee = assignee
    save_with_history(event, by=by, reason=_("assigned"))
    _record(event, "assign", source=event.state, by=by, comment=assignee.get_username(),
            now=timezone.now())
    announce([assignee], kind=News.ASSIGNED, event=event, actor=user_of(by))
    return event


def _require_open_in_scope(event: Event, by: Actor) -> None:
    if not is_within(event.grid_code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("This event is outside your jurisdiction."))
    if not event.is_open:
        raise ValidationError(_("This event is %(state)s: nothing more can be done with it.")
                              % {"state": event.get_state_display()})


@transaction.atomic
def event_merge(*, event: Event, into: Event, by: Actor, comment: str = "") -> Event:
    """Merge the duplicate ``event`` into ``into``; its reporter then follows ``into``."""
    workflow.refuse(by, event, workflow.MERGE, comment)
    if into.pk == event.pk or not into.is_open or into.duplicate_of_id is not None:
        raise ValidationError({"into": _("Merge into another open event.")})
    if not is_within(into.grid_code, by.scope_prefixes):
        raise ValidationError({"into": _("%(number)s is outside your jurisdiction.")
                               % {"number": into.number}})
    now = timezone.now()
    source = event.state
    event.state, event.duplicate_of = State.MERGED, into
    event.escalate_after, event.closed_at = None, now
    save_with_history(event, by=by, reason=comment or _("duplicate"))
    tally_refresh([event])
    _record(event, "merge", source=source, by=by, comment=into.number, now=now)
    _record(into, "absorb", source=into.state, by=by, comment=event.number, now=now)
    announce([event.reporter], kind=News.MERGED, event=event, actor=user_of(by),
             detail=into.number)
    return event


@transaction.atomic
def event_comment(*, event: Event, text: str, by: User) -> EventComment:
    """Comment on ``event``; ``@username`` tells that person, if they can see the event."""
    require(by, Action.COMMENT_EVENTS)
    if not is_within(event.grid_code, by.scope_prefixes):
        raise PermissionDenied(_("This event is outside your jurisdiction."))
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write a comment.")})
    comment = EventComment.objects.create(event=event, author=by, text=text,
                                          at=timezone.now())
    names = set(MENTION.findall(text))
    mentioned = [user for user in User.objects.filter(username__in=names, is_active=True)
                 if can(user, Action.VIEW_EVENTS)
                 and is_within(event.grid_code, user.scope_prefixes)]
    comment.mentioned.set(mentioned)
    excerpt = text[:120]
    announce(mentioned, kind=News.MENTION, event=event, actor=by, detail=excerpt)
    announce([user for user in followers(event) if user not in mentioned],
             kind=News.COMMENT, event=event, actor=by, detail=excerpt)
    return comment


def event_escalate_overdue(*, by: SystemActor, now: datetime.datetime | None = None) -> int:
    """Escalate every overdue open event one level up (grid → community → street →
    district), telling the people who answer there and its handlers; returns how many.

    An event climbs again when it is still overdue ``WANGGE_ESCALATION_HOURS`` later.
    Only the system escalates (``by`` names the command or task, kept in the history)."""
    if not isinstance(by, SystemActor):
        raise TypeError(f"escalation is the system's work: by=<SystemActor>, not {by!r}")
    now = now or timezone.now()
    due = Event.objects.open().filter(escalate_after__lte=now, deadline__lt=now)
    escalated = 0
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            event = (Event.objects.select_for_update(of=("self",))
                     .select_related("category").get(pk=pk))
            if _escalate(event, now, by):
                escalated += 1
    return escalated


def _escalate(event: Event, now: datetime.datetime, by: SystemActor) -> bool:
    if event.escalate_after is None or event.escalate_after > now or not event.is_open:
        return False  # handled, or escalated by another run, since the list was read
    name = _climb(event)
    if name is None:
        event.escalate_after = None  # the top of the loop: it stays on the district's list
        event.save(update_fields=["escalate_after"])
        return False
    event.escalate_after = now + datetime.timedelta(hours=settings.WANGGE_ESCALATION_HOURS)
    save_with_history(event, by=by, reason=_("overdue"))
    _record(event, "escalate", source=event.state, by=by, comment=name, now=now)
    _announce_climb(event, actor=None, name=name)
    return True


def _climb(event: Event) -> str | None:
    """Make the division above the one answering for ``event`` answer for it (grid →
    community → street → district); the name of that division, or None at the district,
    the top of the loop."""
    if level_of(event.responsible_code) in (Level.DISTRICT, Level.CITY, Level.PROVINCE):
        return None
    upper = parent_code(event.responsible_code)
    assert upper is not None  # below a district there is always one
    event.responsible_code = upper
    event.escalations += 1
    return _division_name(upper)


def _division_name(code: str) -> str:
    division = Division.objects.filter(code=code).first()
    return division.name if division else code


def _announce_climb(event: Event, *, actor: User | None, name: str,
                    kind: str = News.ESCALATED) -> None:
    """Tell the people who triage where ``event`` now is, and its handlers."""
    announce([*triage_users_at(event.responsible_code, exact=True),
              *followers(event, reporters=False)],
             kind=kind, event=event, actor=actor, detail=name)


def event_rating_open(event: Event) -> bool:
    """Whether ``event`` waits for a satisfaction rating: closed, and not rated since."""
    return (event.state == State.CLOSED and event.closed_at is not None
            and not event.ratings.filter(at__gte=event.closed_at).exists())


@transaction.atomic
def event_rate(*, event: Event, satisfaction: str, by: Actor, comment: str = "",
               source: str = RatingSource.CALL) -> EventRating:
    """Record how satisfied the resident is with a closed event: on the public status page
    (the system acting for the page) or after a follow-up call by those who close events.
    One rating per closing. The first unsatisfied rating reopens the event one level up
    (``workflow.REOPEN``), to be dispatched again; a later one is recorded and no more."""
    require(by, Action.TRIAGE_EVENTS)
    event = Event.objects.select_for_update(of=("self",)).get(pk=event.pk)
    if not is_within(event.grid_code, actor_checked(by).scope_prefixes):
        raise PermissionDenied(_("This event is outside your jurisdiction."))
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("Say how satisfied the resident is.")})
    comment = comment.strip()
    if len(comment) > RATING_COMMENT_MAX:
        raise ValidationError({"comment": _("Say it in at most %(count)s characters.")
                               % {"count": RATING_COMMENT_MAX}})
    if event.state != State.CLOSED:
        raise ValidationError(_("Only a closed event is rated."), code="state")
    if not event_rating_open(event):
        raise ValidationError(_("This event has been rated since it was closed."),
                              code="rated")
    now = timezone.now()
    reopen = (satisfaction == Satisfaction.UNSATISFIED
              and not event.ratings.filter(reopened=True).exists())
    rating = EventRating.objects.create(event=event, satisfaction=satisfaction,
                                        comment=comment, source=source,
                                        recorded_by=user_of(by), at=now, reopened=reopen,
                                        grid_code=event.grid_code,
                                        organization_id=event.organization_id)
    if reopen:
        _reopen(event, by=by, now=now)
    return rating


def _reopen(event: Event, *, by: Actor, now: datetime.datetime) -> None:
    """Open a closed event again, one level above the one that answered for it, with the
    category's time from now; its organization and handler are chosen again."""
    workflow.refuse(by, event, workflow.REOPEN)
    # At the district already, it stays there.
    name = _climb(event) or _division_name(event.responsible_code)
    event.state = workflow.REOPEN.target
    event.closed_at = None
    event.organization = event.handler = None
    event.deadline = now + event.category.time_allowed(event.priority)
    event.escalate_after = event.deadline
    save_with_history(event, by=by, reason=str(workflow.REOPEN.label))
    tally_refresh([event])
    _record(event, "reopen", source=State.CLOSED, by=by, comment=name, now=now)
    _announce_climb(event, actor=user_of(by), name=name, kind=News.REOPENED)


@transaction.atomic
def category_save(*, category: Category, by: Actor, reason: str) -> Category:
    """Add or change a category of the tree (name, parent, hours, position, or retire it by
    clearing ``active``); a category is never filed under itself or its own children."""
    require(by, Action.CONFIGURE_EVENTS)
    parent = category.parent
    while parent is not None and category.pk is not None:
        if parent.pk == category.pk:
            raise ValidationError({"parent": _("A category cannot be filed under itself or "
                                               "one of its own children.")})
        parent = parent.parent
    category.full_clean()
    tops = top_categories()
    saved = save_with_history(category, by=by, reason=reason)
    if category.pk in tops and top_categories() != tops:
        # Moved under another top category: its events now count there (a rare change,
        # which recounts the whole tally).
        tally_rebuild()
    return saved


@transaction.atomic
def responder_add(*, organization: Organization, user: User, by: Actor) -> Responder:
    """Let ``user`` receive and handle the events dispatched to ``organization``: both within
    the caller's jurisdiction, and the user's role handles events."""
    require(by, Action.CONFIGURE_EVENTS)
    require_in_scope(by, organization.grid_code, "organization")
    # One message for every refusal: the back office must not tell who an id belongs to.
    if not responder_candidates(by).filter(pk=user.pk).exists():
        raise ValidationError({"user": _("Choose someone who handles events in your "
                                         "jurisdiction.")})
    if Responder.objects.filter(organization=organization, user=user).exists():
        raise ValidationError({"user": _("This person already answers for %(organization)s.")
                               % {"organization": organization}})
    return Responder.objects.create(organization=organization, user=user)


@transaction.atomic
def responder_remove(*, responder: Responder, by: Actor) -> None:
    """Stop sending an organization's events to one of its responders."""
    require(by, Action.CONFIGURE_EVENTS)
    require_in_scope(by, responder.organization.grid_code, "organization")
    responder.delete()


@transaction.atomic
def dispatch_default_add(*, category: Category, organization: Organization,
                         by: Actor) -> DispatchDefault:
    """Say that ``organization`` usually handles ``category`` (and the categories under it):
    dispatch preselects it where it serves. By those who configure events, for an
    organization of their jurisdiction."""
    require(by, Action.CONFIGURE_EVENTS)
    require_in_scope(by, organization.grid_code, "organization")
    if DispatchDefault.objects.filter(category=category, organization=organization).exists():
        raise ValidationError({"organization": _("%(organization)s already handles "
                                                 "%(category)s.")
                               % {"organization": organization, "category": category}})
    return DispatchDefault.objects.create(category=category, organization=organization)


@transaction.atomic
def dispatch_default_remove(*, default: DispatchDefault, by: Actor) -> None:
    require(by, Action.CONFIGURE_EVENTS)
    require_in_scope(by, default.organization.grid_code, "organization")
    default.delete()
