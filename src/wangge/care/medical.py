"""Remote medical help (远程医疗辅助): the writes, step by step.

A request is filed by someone who records people's data and sees their health (a grid
worker, community staff) as an event of the "remote-medical" category through
``events.services.event_report``, accepted and dispatched at once to the community health
centre serving the person's grid: the centre's responders are told by the dispatch, and
the event's deadline and escalation time every step after. The centre starts handling it
with the appointment (phone or video), may arrange medicines delivered (by a volunteer or
the grid worker, confirmed on delivery), and reports back with a follow-up date (the
event's feedback); the grid worker then verifies and closes the event as any other.

A person under an active restrictive measure is served first: their request is one
priority higher (an urgent one stays urgent) and heads the centre's queue.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.events.models import Category, Channel, Event, Priority, State
from wangge.events.services import event_report, event_transition
from wangge.events.workflow import is_handler
from wangge.foundation.actors import Actor, SystemActor, user_of
from wangge.foundation.history import save_with_history
from wangge.foundation.permissions import (
    Action,
    SensitiveField,
    require,
    require_in_scope,
    sees_unmasked,
)
from wangge.measures.selectors import under_active_measure
from wangge.organizations.models import Organization, OrganizationKind
from wangge.people.models import Person

from .models import AppointmentKind, Courier, MedicalRequest, Urgency
from .services import event_place

CATEGORY = "remote-medical"
# One level up for a person under a measure.
RAISED = {Urgency.NORMAL: Priority.HIGH, Urgency.HIGH: Priority.URGENT,
          Urgency.URGENT: Priority.URGENT}


def centre_serving(grid_code: str) -> Organization | None:
    """The community health centre that serves ``grid_code`` (the first by name when
    several do)."""
    return (Organization.objects.filter(kind=OrganizationKind.HEALTH_CENTRE,
                                        served_grids__grid_code=grid_code)
            .order_by("name", "pk").first())


def _require_requester(by: Actor) -> None:
    """Those who record people's data and see their health: a request says both."""
    require(by, Action.EDIT_PEOPLE)
    if not sees_unmasked(by, SensitiveField.HEALTH_STATUS):
        raise PermissionDenied(_("Your role does not see people's health."))


def medical_request_file(*, person: Person, symptoms: str, urgency: str, by: Actor,
                         medicines: str = "", channel: str = Channel.WEB) -> MedicalRequest:
    """File a request for ``person`` and send it to the centre serving their grid."""
    _require_requester(by)
    require_in_scope(by, person.grid_code, "person")
    errors: dict[str, list[str]] = {}
    if not symptoms.strip():
        errors["symptoms"] = [_("Describe the symptoms.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose how urgent it is.")]
    centre = centre_serving(person.grid_code)
    if centre is None:
        errors["person"] = [_("No community health centre serves %(name)s's grid yet.")
                            % {"name": person.name}]
    if errors:
        raise ValidationError(errors)
    assert centre is not None
    under_measure = Person.objects.filter(pk=person.pk).filter(under_active_measure()).exists()
    priority = RAISED[Urgency(urgency)] if under_measure else urgency
    with transaction.atomic():
        event = event_report(
            category=Category.objects.get(code=CATEGORY), priority=priority, by=by,
            channel=channel, **event_place(person),
            # The event's text is read by everyone who sees events there: nothing medical.
            description=_("Remote medical help for %(name)s, sent to %(centre)s.")
            % {"name": person.name, "centre": centre.name})
        for step in ("accept", "dispatch"):
            event = event_transition(event=event, name=step, organization=centre, by=by)
        request = MedicalRequest(
            person=person, grid_code=person.grid_code, centre=centre, event=event,
            symptoms=symptoms.strip(), medicines=medicines.strip(), urgency=urgency,
            under_measure=under_measure, requested_by=user_of(by),
            requested_at=event.reported_at)
        return save_with_history(request, by=by, reason=_("medical help requested"))


def _require_centre(request: MedicalRequest, by: Actor) -> Event:
    """The centre's own steps: its responders (or the system), on an open request."""
    require(by, Action.HANDLE_EVENTS)
    # As it stands now: the grid worker may have closed it since the request was read.
    event = request.event = Event.objects.select_related("organization").get(
        pk=request.event_id)
    if not isinstance(by, SystemActor) and not is_handler(by, event):
        raise PermissionDenied(_("Only the health centre's staff answer this request."))
    if not event.is_open:
        raise ValidationError(_("This request is %(state)s: nothing more can be done with "
                                "it.") % {"state": event.get_state_display()})
    return event


def medical_appointment_set(*, request: MedicalRequest, kind: str,
                            at: datetime.datetime, by: Actor,
                            note: str = "") -> MedicalRequest:
    """The centre answers by a phone or video appointment at ``at``: it starts handling
    the event (a second appointment changes the first)."""
    event = _require_centre(request, by)
    errors: dict[str, list[str]] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = [_("Choose a phone or a video call.")]
    if at < timezone.now() - datetime.timedelta(hours=1):
        errors["at"] = [_("The appointment cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if event.state == State.DISPATCHED:
            request.event = event_transition(event=event, name="start", by=by)
        request.appointment_kind, request.appointment_at = kind, at
        request.appointment_note = note.strip()[:200]
        return save_with_history(request, by=by, reason=_("appointment set"))


def medical_delivery_arrange(*, request: MedicalRequest, courier: str,
                             by: Actor) -> MedicalRequest:
    """The centre arranges the medicines to be delivered by a volunteer or the grid
    worker."""
    _require_centre(request, by)
    if courier not in Courier.values:
        raise ValidationError({"courier": _("Choose who delivers the medicines.")})
    if request.appointment_at is None:
        raise ValidationError(_("Set the appointment first."))
    if request.delivered_at is not None:
        raise ValidationError(_("The medicines were delivered already."))
    request.courier, request.delivery_arranged_at = courier, timezone.now()
    with transaction.atomic():
        return save_with_history(request, by=by, reason=_("delivery arranged"))


def medical_delivery_confirm(*, request: MedicalRequest, by: Actor) -> MedicalRequest:
    """Delivered: confirmed by the grid worker (or anyone who may file requests there) or
    by the centre's staff."""
    user = user_of(by)
    centre_staff = isinstance(by, SystemActor) or (
        user is not None and is_handler(user, request.event))
    if not centre_staff:
        _require_requester(by)
        require_in_scope(by, request.grid_code, "person")
    if request.delivery_arranged_at is None:
        raise ValidationError(_("No delivery was arranged."))
    if request.delivered_at is not None:
        raise ValidationError(_("The delivery was confirmed already."))
    request.delivered_at, request.delivery_confirmed_by = timezone.now(), user_of(by)
    with transaction.atomic():
        return save_with_history(request, by=by, reason=_("medicines delivered"))


def medical_follow_up_set(*, request: MedicalRequest, on: datetime.date, by: Actor,
                          note: str = "") -> MedicalRequest:
    """The centre reports back with a follow-up date: the event's feedback, for the grid
    worker to verify and close. Refused while medicines on their way are not delivered."""
    event = _require_centre(request, by)
    errors: dict[str, list[str]] = {}
    if request.appointment_at is None:
        errors["on"] = [_("Set the appointment first.")]
    if request.delivery_pending:
        errors["on"] = [_("The medicines are not delivered yet.")]
    if on < timezone.localdate():
        errors["on"] = [_("The follow-up cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request.follow_up_on, request.follow_up_note = on, note.strip()[:200]
        save_with_history(request, by=by, reason=_("follow-up set"))
        request.event = event_transition(event=event, name="feedback", by=by, comment=_(
            "Answered by %(kind)s; follow-up on %(on)s.") % {
            "kind": request.get_appointment_kind_display(), "on": on.isoformat()})
    return request
