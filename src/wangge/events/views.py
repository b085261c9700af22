"""The event pages: lists per jurisdiction, the report form, the event with its timeline and
the actions the user may take. Each reads through ``events_visible_to`` (an
event outside the jurisdiction is 404) and writes through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wangge.auditlog.models import Kind
from wangge.auditlog.services import access_record
from wangge.foundation.codes import prefix_range, scope_prefix
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, SensitiveField, can
from wangge.foundation.requests import SignedInRequest

from . import workflow
from .forms import (
    AssignForm,
    CommentForm,
    EventFilterForm,
    RatingForm,
    ReportForm,
    TransitionForm,
)
from .models import Event, PhotoStage
from .offers import offers_for
from .selectors import (
    categories_active,
    event_contact,
    event_counts,
    events_filtered,
    events_visible_to,
    grid_name_of,
    likely_duplicates,
    place_name_of,
    responsible_division,
    timeline,
    with_grid_names,
)
from .services import (
    event_assign,
    event_comment,
    event_merge,
    event_rate,
    event_rating_open,
    event_report,
    event_transition,
)

VIEWS = {
    "open": gettext_lazy("Open"),
    "overdue": gettext_lazy("Overdue"),
    "escalated": gettext_lazy("Escalated"),
    "closed": gettext_lazy("Finished"),
}


def _visible(request: SignedInRequest):
    if not can(request.user, Action.VIEW_EVENTS):
        raise PermissionDenied
    return events_visible_to(request.user)


def _refusal(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, PermissionDenied):
        return str(error) or _("Your role may not do this.")
    return " ".join(error.messages)


def _list_problems(request: SignedInRequest, form: EventFilterForm) -> list[str]:
    """What is wrong with the list's query string, in words (the rest still applies)."""
    problems = []
    code = request.GET.get("code", "")
    if code and not (code.isdigit() and len(code) in (12, 15)):
        problems.append(_("“%(code)s” is not a grid or division code: use its 12 or 15 "
                          "digits.") % {"code": code[:20]})
    view = request.GET.get("view", "open")
    if view not in VIEWS:
        problems.append(_("“%(view)s” is not a list: choose open, overdue, escalated or "
                          "closed.") % {"view": view[:20]})
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        problems += [f"{label}: {error}" for error in errors]
    return problems


@login_required
def event_list(request: SignedInRequest) -> HttpResponse:
    """Events in the user's jurisdiction, or under ``?code=``; tabs for the open, overdue,
    escalated and finished ones; narrowed by state, category, channel, the days reported
    and words. A parameter that is wrong is named on the page and the others still apply."""
    events = _visible(request)
    code = request.GET.get("code", "")
    if code.isdigit() and len(code) in (12, 15):
        events = events.filter(prefix_range("grid_code", scope_prefix(code)))
    else:
        code = ""
    view = request.GET.get("view", "open")
    view = view if view in VIEWS else "open"
    form = EventFilterForm(request.GET)
    form.is_valid()
    events = events_filtered(events, form.filters())
    counts = event_counts(events)
    shown = {
        "open": events.open(),
        "overdue": events.overdue(timezone.now()),
        "escalated": events.open().escalated(),
        "closed": events.finished(),
    }[view]
    if view == "overdue":
        shown = shown.order_by("deadline")
    page = page_of(request, shown)
    page.object_list = with_grid_names(page.object_list)
    kept = [(key, str(value)) for key, value in request.GET.items()
            if key not in ("view", "page") and value]
    return render(request, "events/list.html", {
        "events": page,
        "counts": counts,
        "views": VIEWS,
        "view": view,
        "code": code,
        "code_name": place_name_of(code) if code else "",
        "form": form,
        "problems": _list_problems(request, form),
        "filtered": any(key != "code" for key, _value in kept),
        "filters": urlencode(kept),
        "query": urlencode([("view", view), *kept]) + "&",
        "may_report": can(request.user, Action.REPORT_EVENTS),
    })


@login_required
def event_new(request: SignedInRequest) -> HttpResponse:
    """The report form for a grid worker on a phone: category, what, where, photos. Open
    events of the same category nearby are shown before filing."""
    if not can(request.user, Action.REPORT_EVENTS):
        raise PermissionDenied
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        building = data.get("building")
        longitude = data["longitude"] if building is None else building.longitude
        latitude = data["latitude"] if building is None else building.latitude
        category = categories_active().filter(pk=data["category"]).first()
        # "confirmed": the reporter saw the likely duplicates and files anyway.
        if not request.POST.get("confirmed") and category is not None:
            duplicates = likely_duplicates(events_visible_to(request.user), category=category,
                                           longitude=longitude, latitude=latitude)
        if duplicates:
            messages.info(request, _("Similar open events are nearby. If yours is one of "
                                     "them, add a comment there; else file it anyway."))
        elif category is None:
            form.add_error("category", _("There is no such category."))
        else:
            try:
                event = event_report(
                    category=category, description=data["description"],
                    priority=data["priority"], building=building,
                    longitude=data["longitude"], latitude=data["latitude"],
                    address=data["address"], photos=data["photos"], by=request.user)
            except ValidationError as error:
                service_errors_shown(form, error)
            else:
                messages.success(request, _("Reported as %(number)s.")
                                 % {"number": event.number})
                return redirect("events:detail", pk=event.pk)
    return render(request, "events/new.html", {"form": form, "duplicates": duplicates})


@login_required
def event_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    event = get_object_or_404(_visible(request).select_related("handler"), pk=pk)
    allowed = workflow.allowed(user, event)
    transition_form = TransitionForm(user=user, event=event)
    if any(t.name == "dispatch" for t in allowed):
        transition_form.preselect(user, event)
    contact = event_contact(user, event)
    photos = list(event.photos.all())
    response = render(request, "events/detail.html", {
        "event": event,
        "grid_name": grid_name_of(event.grid_code),
        "responsible": responsible_division(event),
        "timeline": timeline(event),
        "photos": [photo for photo in photos if photo.stage != PhotoStage.AFTER],
        "after_photos": [photo for photo in photos if photo.stage == PhotoStage.AFTER],
        "contact": contact,
        "transitions": _offered(allowed),
        "transition_form": transition_form,
        "may_merge": any(t.name == "merge" for t in allowed),
        "duplicates": likely_duplicates(events_visible_to(user), category=event.category,
                                        longitude=event.longitude, latitude=event.latitude,
                                        exclude=event) if event.is_open else [],
        "assign_form": (AssignForm(event=event) if event.is_open
                        and can(user, Action.TRIAGE_EVENTS) else None),
        "rating_form": (RatingForm() if can(user, Action.TRIAGE_EVENTS)
                        and event_rating_open(event) else None),
        "comment_form": CommentForm() if can(user, Action.COMMENT_EVENTS) else None,
        "merged": event.duplicates.all(),
        "offers": offers_for(user, event),
    })
    if contact is not None and contact.unmasked:
        # The resident's phone, shown in full: read like a person's (docs/audit.md).
        access_record(by=user, kind=Kind.VIEW, request=request,
                      fields=[SensitiveField.PHONE.value], record_ids=[event.pk],
                      target="event contact")
    return response


def _offered(allowed: list[workflow.Transition]) -> list[workflow.Transition]:
    """The buttons of the event page: merging has its own (by each likely duplicate), and a
    step made as part of a longer one the user may make (verify, within verify and close)
    is not offered alone."""
    within = {step for transition in allowed for step in transition.steps}
    return [t for t in allowed if t.name != "merge" and t.name not in within]


def _act(request: SignedInRequest, pk: int, act) -> HttpResponse:
    """Run ``act(event)``; a refusal comes back as a message on the event page."""
    event = get_object_or_404(_visible(request), pk=pk)
    try:
        act(event)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _refusal(error))
    return redirect("events:detail", pk=pk)


@login_required
@require_POST
def event_transition_view(request: SignedInRequest, pk: int) -> HttpResponse:
    def act(event: Event) -> None:
        form = TransitionForm(request.POST, request.FILES, user=request.user, event=event)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields
                                   else " ".join(e) for f, e in form.errors.items()])
        data = form.cleaned_data
        changed = event_transition(event=event, name=data["action"], by=request.user,
                                   comment=data["comment"], organization=data["organization"],
                                   deadline=data["deadline"], photos=data["photos"])
        messages.success(request, _("Done: %(number)s is now %(state)s.") % {
            "number": changed.number, "state": changed.get_state_display()})

    return _act(request, pk, act)


@login_required
@require_POST
def event_assign_view(request: SignedInRequest, pk: int) -> HttpResponse:
    def act(event: Event) -> None:
        form = AssignForm(request.POST, event=event)
        if not form.is_valid():
            raise ValidationError(form.errors["assignee"])
        event_assign(event=event, assignee=form.cleaned_data["assignee"], by=request.user)
        messages.success(request, _("Assigned."))

    return _act(request, pk, act)


@login_required
@require_POST
def event_comment_view(request: SignedInRequest, pk: int) -> HttpResponse:
    def act(event: Event) -> None:
        event_comment(event=event, text=request.POST.get("text", ""), by=request.user)

    return _act(request, pk, act)


@login_required
@require_POST
def event_rate_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record the resident's satisfaction after a follow-up call (回访)."""
    def act(event: Event) -> None:
        form = RatingForm(request.POST)
        if not form.is_valid():
            raise ValidationError([" ".join(errors) for errors in form.errors.values()])
        rating = event_rate(event=event, satisfaction=form.cleaned_data["satisfaction"],
                            comment=form.cleaned_data["comment"], by=request.user)
        messages.success(request, _("Rating recorded.") if not rating.reopened else _(
            "Rating recorded: the event is open again, one level up."))

    return _act(request, pk, act)


@login_required
@require_POST
def event_merge_view(request: SignedInRequest, pk: int) -> HttpResponse:
    def act(event: Event) -> None:
        into_id = request.POST.get("into", "")
        # Not a number (or none): no event, as for one out of scope, rather than a 500.
        into = (_visible(request).filter(pk=into_id).first()
                if into_id.isdecimal() and len(into_id) < 19 else None)
        if into is None:
            raise ValidationError(_("Merge into another open event."))
        event_merge(event=event, into=into, by=request.user,
                    comment=request.POST.get("comment", ""))
        messages.success(request, _("Merged into %(number)s.") % {"number": into.number})

    return _act(request, pk, act)


@login_required
def event_photo(request: SignedInRequest, pk: int, photo: int) -> FileResponse:
    """A photo, only for those who may see its event (never a public media URL)."""
    event = get_object_or_404(_visible(request), pk=pk)
    found = get_object_or_404(event.photos, pk=photo)
    return FileResponse(found.image.open("rb"), content_type=found.content_type)
