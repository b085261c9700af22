"""API of public alerts: the list and one alert, publishing, updating and cancelling (each a
new CAP message), and an alert as its CAP 1.2 document."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from ninja import Status as WithStatus
from ninja.pagination import paginate

from wangge.access.models import User
from wangge.access.services import token_user
from wangge.divisions.models import Grid
from wangge.divisions.selectors import grids_visible_to
from wangge.foundation.api_support import (
    CodeFilter,
    Pages,
    RecordId,
    acting,
    also_answers,
    caller,
    visible_one,
)
from wangge.foundation.permissions import Action

from .cap import MEDIA_TYPE, cap_document
from .models import Alert, Category, Certainty, MessageType, Severity, Status, Urgency
from .selectors import alerts_visible_to, is_current, public_alert
from .services import alert_cancel, alert_publish, alert_update

router = Router(tags=["alerts"])
PUBLISH = Action.PUBLISH_ALERTS
REFUSALS = also_answers(422, meaning={422: gettext_lazy(
    "The alert breaks a rule (a field, a grid outside your jurisdiction, participants), or "
    "the alert it would replace is no longer current; errors names each.")})
GridCode = Annotated[str, Field(pattern=r"^\d{15}$", description="A grid's 15-digit code")]


class AlertFilter(CodeFilter):
    current: bool = Field(False, description="Only those in force now")
    status: Status | None = None


class AlertOut(Schema):
    id: int
    identifier: str
    sender: str
    sent: datetime.datetime
    status: Status
    msg_type: MessageType
    scope: str
    note: str
    replaces_id: int | None = Field(description="The alert this one updates or cancels")
    current: bool = Field(description="In force now: not replaced, cancelled or expired")
    category: Category
    event: str
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    headline: str
    description: str
    instruction: str
    effective: datetime.datetime | None
    onset: datetime.datetime | None
    expires: datetime.datetime | None
    web: str
    grid_codes: list[str]
    area_desc: str = Field(description="The affected grids' names (CAP areaDesc)")
    participant_ids: list[int] = Field(description="An exercise's or a test's participants")
    cap_url: str


class AlertInfoIn(Schema):
    category: Category
    event: str = Field(min_length=1, max_length=100)
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    headline: str = Field(min_length=1, max_length=160)
    description: str = Field("", max_length=4000)
    instruction: str = Field("", max_length=4000)
    effective: datetime.datetime | None = None
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    web: str = Field("", max_length=200)


class AlertIn(AlertInfoIn):
    status: Status = Status.ACTUAL
    grid_codes: list[GridCode] = Field(min_length=1, max_length=500)
    participant_ids: list[RecordId] = Field(
        [], max_length=500, description="An exercise's or a test's participants (required "
                                        "for them, refused for a real warning)")
    reason: str = Field(min_length=1, max_length=200)


class AlertUpdateIn(Schema):
    """What changes; the rest is copied from the alert updated."""

    category: Category | None = None
    event: str | None = Field(None, min_length=1, max_length=100)
    urgency: Urgency | None = None
    severity: Severity | None = None
    certainty: Certainty | None = None
    headline: str | None = Field(None, min_length=1, max_length=160)
    description: str | None = Field(None, max_length=4000)
    instruction: str | None = Field(None, max_length=4000)
    effective: datetime.datetime | None = None
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    web: str | None = Field(None, max_length=200)
    grid_codes: list[GridCode] | None = Field(None, min_length=1, max_length=500)
    reason: str = Field(min_length=1, max_length=200,
                        description="Why: the CAP note of the update")


class AlertCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=200,
                        description="Why: the CAP note of the cancellation")


def alert_out(alert: Alert) -> dict[str, Any]:
    grids = list(alert.grids.all())
    return {
        **{name: getattr(alert, name) for name in (
            "id", "identifier", "sender", "sent", "status", "msg_type", "scope", "note",
            "replaces_id", "category", "event", "urgency", "severity", "certainty",
            "headline", "description", "instruction", "effective", "onset", "expires",
            "web")},
        "current": is_current(alert, timezone.now()),
        "grid_codes": [grid.code for grid in grids],
        "area_desc": "、".join(grid.name for grid in grids),
        "participant_ids": [user.pk for user in alert.participants.all()],
        "cap_url": reverse("api:alert_cap", kwargs={"id": alert.pk}),
    }


def grids_named(user: User, codes: list[str]) -> list[Grid]:
    """The caller's grids with these codes; one outside the jurisdiction is a 422."""
    grids = list(grids_visible_to(user).filter(code__in=codes))
    if missing := sorted(set(codes) - {grid.code for grid in grids}):
        raise ValidationError({"grid_codes": _("No grid %(codes)s in your jurisdiction.")
                               % {"codes": ", ".join(missing)}})
    return grids


class AlertPages(Pages):
    def paginate_queryset(self, queryset: QuerySet, pagination: Pages.Input,
                          request: HttpRequest, **params: Any) -> dict[str, Any]:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [alert_out(alert) for alert in page["items"]]
        return page


@router.get("/alerts", response=list[AlertOut])
@paginate(AlertPages)
def alert_list(request: HttpRequest, filters: Query[AlertFilter]) -> QuerySet:
    """The alerts the caller may see, newest first; ``code`` narrows to those with an
    affected grid in an area."""
    alerts = alerts_visible_to(caller(request))
    if filters.current:
        alerts = alerts.current(timezone.now())
    if filters.status:
        alerts = alerts.filter(status=filters.status)
    return filters.narrow(alerts)


@router.get("/alerts/{id}", response=AlertOut)
def alert_get(request: HttpRequest, id: RecordId) -> dict[str, Any]:
    return alert_out(visible_one(request, alerts_visible_to, None, pk=id))


@router.post("/alerts", response={201: AlertOut}, openapi_extra=REFUSALS)
def alert_post(request: HttpRequest, payload: AlertIn) -> WithStatus[dict[str, Any]]:
    """Publish an alert for grids of the caller's jurisdiction: a real warning (Actual,
    public, told to the grids' staff) or an exercise or test (told to its participants)."""
    by = acting(request, PUBLISH)
    participants = list(User.objects.filter(pk__in=payload.participant_ids))
    if len(participants) != len(set(payload.participant_ids)):
        raise ValidationError({"participant_ids": _("Participants must be active accounts "
                                                    "of your jurisdiction.")})
    alert = alert_publish(
        grids=grids_named(by, payload.grid_codes), status=payload.status,
        participants=participants, by=by, reason=payload.reason,
        **payload.model_dump(include=set(AlertInfoIn.model_fields)))
    return WithStatus(201, alert_out(alert))


@router.post("/alerts/{id}/update", response={201: AlertOut}, openapi_extra=REFUSALS)
def alert_update_post(request: HttpRequest, id: RecordId, payload: AlertUpdateIn
                      ) -> WithStatus[dict[str, Any]]:
    """Publish an update of an alert in force (CAP msgType Update, referencing it): the
    fields sent change, the rest is copied; the alert updated is no longer current."""
    alert = visible_one(request, alerts_visible_to, None, pk=id)
    by = acting(request, PUBLISH)
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "grid_codes"})
    if nulls := sorted(name for name, value in changes.items()
                       if value is None and name not in ("effective", "onset", "expires")):
        raise ValidationError({name: [_("This field cannot be null.")] for name in nulls})
    grids = (grids_named(by, payload.grid_codes) if payload.grid_codes is not None
             else None)
    update = alert_update(alert=alert, grids=grids, by=by, reason=payload.reason, **changes)
    return WithStatus(201, alert_out(update))


@router.post("/alerts/{id}/cancel", response={201: AlertOut}, openapi_extra=REFUSALS)
def alert_cancel_post(request: HttpRequest, id: RecordId, payload: AlertCancelIn
                      ) -> WithStatus[dict[str, Any]]:
    """Cancel an alert in force (CAP msgType Cancel, referencing it)."""
    alert = visible_one(request, alerts_visible_to, None, pk=id)
    return WithStatus(201, alert_out(alert_cancel(alert=alert, by=acting(request, PUBLISH),
                                              reason=payload.reason)))


def _reader(request: HttpRequest) -> User | None:
    """The caller by bearer token or session, if any (the CAP document needs none for a
    public warning)."""
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        return token_user(secret.strip(), record_use=False)
    return request.user if request.user.is_authenticated else None


CAP_ANSWER = {"responses": {200: {
    "description": gettext_lazy("The alert as an OASIS CAP 1.2 document."),
    "content": {MEDIA_TYPE: {"schema": {"type": "string"}}}}}}


@router.get("/alerts/{id}/cap.xml", auth=None, url_name="alert_cap", openapi_extra=CAP_ANSWER)
def alert_cap(request: HttpRequest, id: RecordId) -> HttpResponse:
    """The alert as CAP 1.2 XML (``application/cap+xml``). A real, public warning needs no
    sign-in (the feed links here); an exercise, a test or a restricted one is answered only
    to those who may see it, and is 404 to anyone else."""
    alert = public_alert(id)
    if alert is None:
        reader = _reader(request)
        alert = alerts_visible_to(reader).filter(pk=id).first() if reader else None
    if alert is None:
        raise Http404
    return HttpResponse(cap_document(alert), content_type=MEDIA_TYPE)
