"""API for the event loop: categories, events with their timeline, transitions, comments,
assignment and merging."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wangge.auditlog.models import Kind
from wangge.auditlog.services import access_record
from wangge.divisions.selectors import grids_visible_to
from wangge.foundation.api_support import (
    GEOJSON_ANSWER,
    CodeFilter,
    Pages,
    RecordId,
    acting,
    caller,
    feature_collection,
    referenced,
    visible,
    visible_one,
)
from wangge.foundation.permissions import Action, SensitiveField
from wangge.places.selectors import buildings_visible_to, dwellings_visible_to

from . import workflow
from .models import (
    RATING_COMMENT_MAX,
    Channel,
    Event,
    EventComment,
    EventPhoto,
    PhotoStage,
    Priority,
    Satisfaction,
    State,
)
from .selectors import (
    EventFilters,
    categories_active,
    days_refused,
    dispatch_targets,
    event_contact,
    event_pins,
    events_filtered,
    events_visible_to,
    handlers_for,
    likely_duplicates,
    open_events_by_grid,
    person_name,
    timeline,
)
from .services import (
    event_assign,
    event_comment,
    event_merge,
    event_photos_add,
    event_rate,
    event_rating_open,
    event_report,
    event_transition,
)

router = Router(tags=["events"])
VIEW = Action.VIEW_EVENTS


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    hours_urgent: int
    hours_high: int
    hours_normal: int


class EventOut(Schema):
    id: int
    number: str
    category_id: int
    category: str = Field(alias="category.name")
    description: str
    priority: Priority
    state: State
    grid_code: str
    longitude: float | None
    latitude: float | None
    building_id: int | None
    dwelling_id: int | None
    address: str
    channel: Channel
    reported_at: datetime.datetime
    deadline: datetime.datetime
    overdue: bool = Field(alias="is_overdue")
    organization_id: int | None
    assignee_id: int | None
    handler_id: int | None = Field(description="承办人: who took it in hand")
    responsible_code: str
    escalations: int
    duplicate_of_id: int | None
    closed_at: datetime.datetime | None


class TimelineEntry(Schema):
    kind: str = Field(description="transition, comment or rating")
    at: datetime.datetime
    actor: str | None = Field(description="The username; None for the system or the public")
    actor_name: str | None = Field(description="The person's full name")
    action: str
    source: str = Field(description="The state before; for a rating, where it was given")
    target: str = Field(description="The state after; for a rating, the satisfaction")
    text: str


class ContactOut(Schema):
    """What the sender of a public report left to be reached by, masked as phones are for
    the caller's role (the email with the phone); a full one is logged as read."""

    name: str
    phone: str
    email: str


class DuplicateOut(Schema):
    id: int
    number: str
    metres: int


class EventDetail(EventOut):
    handler: str | None = Field(alias="handler_name", description="承办人, by name")
    contact: ContactOut | None = Field(description="The resident's, on a public report")
    rating_open: bool = Field(description="Closed and not rated since: a rating is taken")
    timeline: list[TimelineEntry]
    photos: list[str] = Field(alias="photo_links")
    actions: list[str] = Field(description="Transitions the caller may make now")
    likely_duplicates: list[DuplicateOut]


class EventIn(Schema):
    category_id: RecordId
    description: str = Field(max_length=2000)
    priority: Priority = Priority.NORMAL
    longitude: float | None = None
    latitude: float | None = None
    building_id: RecordId | None = None
    dwelling_id: RecordId | None = None
    address: str = Field("", max_length=200)


class EventFilter(CodeFilter):
    """The filters of the event list page (``events_filtered``), with the API's names."""

    state: State | None = None
    category_id: RecordId | None = Field(None, description="A category or its parent")
    channel: Channel | None = None
    reported_from: datetime.date | None = Field(
        None, alias="from", description="Reported on or after this day (YYYY-MM-DD)")
    reported_to: datetime.date | None = Field(
        None, alias="to", description="Reported on or before this day (YYYY-MM-DD)")
    q: str = Field("", max_length=100, description="Words in the description, address or "
                   "category; an event number (SJ…) or public ticket")
    overdue: bool = False
    escalated: bool = False

    def narrow(self, queryset: QuerySet) -> QuerySet:
        queryset = super().narrow(queryset)
        if refused := days_refused(self.reported_from, self.reported_to):
            raise ValidationError(refused)
        queryset = events_filtered(queryset, EventFilters(
            state=self.state or "", channel=self.channel or "", words=self.q,
            reported_from=self.reported_from, reported_to=self.reported_to,
            category_id=self.category_id))
        if self.overdue:  # soonest deadline first, as on the pages
            queryset = queryset.overdue(timezone.now()).order_by("deadline", "pk")
        if self.escalated:
            queryset = queryset.open().escalated()
        return queryset


class TransitionIn(Schema):
    action: str = Field(description=", ".join(workflow.TRANSITIONS))
    comment: str = Field("", max_length=2000)
    organization_id: RecordId | None = Field(None, description="dispatch: who is to handle it")
    deadline: datetime.datetime | None = Field(None, description="dispatch: by when")


class CommentIn(Schema):
    text: str = Field(max_length=2000)


class CommentOut(Schema):
    id: int
    text: str
    at: datetime.datetime
    mentioned: list[str]

    @staticmethod
    def resolve_mentioned(comment) -> list[str]:
        return [user.username for user in comment.mentioned.all()]


class PhotoOut(Schema):
    id: int
    url: str
    stage: PhotoStage
    content_type: str
    width: int
    height: int
    size: int


class RatingIn(Schema):
    satisfaction: Satisfaction
    comment: str = Field("", max_length=RATING_COMMENT_MAX, description="What the resident said")


class AssignIn(Schema):
    assignee_id: RecordId


class MergeIn(Schema):
    into_id: RecordId
    comment: str = Field("", max_length=2000)


def _photo_link(request: HttpRequest, photo: EventPhoto) -> str:
    return request.build_absolute_uri(reverse("events:photo", args=[photo.event_id, photo.pk]))


def _detail(request: HttpRequest, event: Event) -> Event:
    """The event with its timeline, photo links, the caller's possible transitions and the
    likely duplicates, as EventDetail reads them."""
    user = caller(request)
    event.timeline = [{**entry, "actor": entry["actor"].username if entry["actor"] else None,
                       "actor_name": person_name(entry["actor"]) or None}
                      for entry in timeline(event)]
    event.handler_name = person_name(event.handler) or None
    contact = event_contact(user, event)
    event.contact = contact
    event.rating_open = event_rating_open(event)
    if contact is not None and contact.unmasked:
        access_record(by=user, kind=Kind.VIEW, request=request,
                      fields=[SensitiveField.PHONE.value], record_ids=[event.pk],
                      target="event contact")
    event.photo_links = [_photo_link(request, photo) for photo in event.photos.all()]
    event.actions = [transition.name for transition in workflow.allowed(user, event)]
    event.likely_duplicates = [
        {"id": found.event.pk, "number": found.event.number, "metres": found.metres}
        for found in likely_duplicates(events_visible_to(user), category=event.category,
                                       longitude=event.longitude, latitude=event.latitude,
                                       exclude=event)
    ] if event.is_open else []
    return event


@router.get("/event-categories", response=list[CategoryOut])
def category_list(request: HttpRequest) -> QuerySet:
    """The category tree (``parent_id``) with the hours allowed at each priority."""
    return categories_active()


@router.get("/events", response=list[EventOut])
@paginate(Pages)
def event_list(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet:
    return filters.narrow(visible(request, events_visible_to, VIEW))


class PinFilter(CodeFilter):
    limit: int | None = Field(None, ge=1, description=(
        "At most this many pins; never more than the server's WANGGE_MAP_EVENT_PINS "
        "(1000 unless configured)"))


@router.get("/events.geojson", openapi_extra=GEOJSON_ANSWER)
def event_geojson(request: HttpRequest, filters: Query[PinFilter]) -> JsonResponse:
    """Open events as points for a map: the most overdue first (soonest deadline), at most
    ``limit`` of them (page through ``/events`` for the rest). A pin carries the number,
    category, state, priority and deadline, not the description or who reported it."""
    events = filters.narrow(visible(request, events_visible_to, VIEW))
    limit = min(filters.limit or settings.WANGGE_MAP_EVENT_PINS, settings.WANGGE_MAP_EVENT_PINS)
    return feature_collection(event_pins(events, limit=limit))


@router.get("/events-by-grid.geojson", openapi_extra=GEOJSON_ANSWER)
def event_grid_geojson(request: HttpRequest, filters: Query[CodeFilter]) -> JsonResponse:
    """Every visible grid (not paged: a map draws them all) with its ``open`` events and how
    many of those are ``overdue``; ``/grids.geojson`` has their population."""
    events = visible(request, events_visible_to, VIEW)
    grids = list(filters.narrow(grids_visible_to(caller(request))))
    counts = open_events_by_grid(events, [grid.code for grid in grids])
    return feature_collection([
        {"type": "Feature", "geometry": grid.boundary,
         "properties": {"code": grid.code, "name": grid.name,
                        "open": counts.get(grid.code, (0, 0))[0],
                        "overdue": counts.get(grid.code, (0, 0))[1]}}
        for grid in grids
    ])


@router.get("/events/{id}", response=EventDetail)
def event_get(request: HttpRequest, id: RecordId) -> Event:
    return _detail(request, visible_one(request, events_visible_to, VIEW, pk=id))


@router.post("/events", response={201: EventDetail})
def event_post(request: HttpRequest, payload: EventIn) -> Event:
    """Report an event at a point (placed in its grid) or at a building or dwelling. The
    answer lists open events of the same category nearby as ``likely_duplicates``."""
    by = acting(request, Action.REPORT_EVENTS)
    category = categories_active().filter(pk=payload.category_id).first()
    if category is None:
        raise ValidationError({"category_id": _("There is no such category.")})
    event = event_report(
        category=category, description=payload.description, priority=payload.priority,
        longitude=payload.longitude, latitude=payload.latitude, address=payload.address,
        building=referenced(request, buildings_visible_to, Action.VIEW_PLACES,
                            field="building_id", pk=payload.building_id),
        dwelling=referenced(request, dwellings_visible_to, Action.VIEW_PLACES,
                            field="dwelling_id", pk=payload.dwelling_id),
        channel=Channel.API, by=by,
    )
    return _detail(request, event)


@router.post("/events/{id}/transitions", response=EventDetail)
def event_transition_post(request: HttpRequest, id: RecordId, payload: TransitionIn) -> Event:
    """Move the event along the loop; ``actions`` in the event lists what the caller may do."""
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    organization = None
    if payload.organization_id is not None:
        organization = dispatch_targets(caller(request), event).filter(
            pk=payload.organization_id).first()
        if organization is None:
            raise ValidationError({"organization_id": _(
                "There is no record with id %(id)s in your jurisdiction.")
                % {"id": payload.organization_id}})
    event = event_transition(event=event, name=payload.action, by=caller(request),
                             comment=payload.comment, organization=organization,
                             deadline=payload.deadline)
    return _detail(request, event)


@router.post("/events/{id}/comments", response={201: CommentOut})
def event_comment_post(request: HttpRequest, id: RecordId, payload: CommentIn) -> EventComment:
    """Comment; ``@username`` notifies that person if they can see the event."""
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    return event_comment(event=event, text=payload.text, by=caller(request))


@router.post("/events/{id}/photos", response={201: list[PhotoOut]})
def event_photos_post(request: HttpRequest, id: RecordId,
                      photos: File[list[UploadedFile]],
                      stage: PhotoStage = PhotoStage.REPORT) -> list[dict]:
    """Attach photos (multipart, one or more ``photos`` files): JPEG, PNG or WebP, checked
    and stripped of EXIF like those sent with the report page; ``?stage=after`` for photos
    of the result, which the resident's status page shows."""
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    return [{"id": photo.pk, "url": _photo_link(request, photo),
             "content_type": photo.content_type, "width": photo.width,
             "height": photo.height, "size": photo.size, "stage": photo.stage}
            for photo in event_photos_add(event=event, uploads=photos, by=caller(request),
                                          stage=stage)]


@router.post("/events/{id}/ratings", response={201: EventDetail})
def event_rating_post(request: HttpRequest, id: RecordId, payload: RatingIn) -> Event:
    """Record the resident's satisfaction with a closed event after a follow-up call (回访);
    one rating per closing. The first unsatisfied one reopens the event one level up."""
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    by = acting(request, Action.TRIAGE_EVENTS)
    event_rate(event=event, satisfaction=payload.satisfaction, comment=payload.comment, by=by)
    event.refresh_from_db()
    return _detail(request, event)


@router.post("/events/{id}/assign", response=EventDetail)
def event_assign_post(request: HttpRequest, id: RecordId, payload: AssignIn) -> Event:
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    by = acting(request, Action.TRIAGE_EVENTS)
    assignee = handlers_for(event).filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise ValidationError({"assignee_id": _("This person cannot handle events in this "
                                                "grid.")})
    return _detail(request, event_assign(event=event, assignee=assignee, by=by))


@router.post("/events/{id}/merge", response=EventDetail)
def event_merge_post(request: HttpRequest, id: RecordId, payload: MergeIn) -> Event:
    """Merge this event (a duplicate) into ``into_id``; its reporter follows that one."""
    event = visible_one(request, events_visible_to, VIEW, pk=id)
    by = acting(request, Action.TRIAGE_EVENTS)
    into = referenced(request, events_visible_to, VIEW, field="into_id", pk=payload.into_id)
    return _detail(request, event_merge(event=event, into=into, by=by, comment=payload.comment))
