"""The event pages: lists per jurisdiction, the report form, the event with its timeline and
the actions the user may take. Each reads through ``events_visible_to`` (an
event outside the jurisdiction is 404) and writes through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wangge.foundation.codes import prefix_range, scope_prefix
from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from . import workflow
from .forms import AssignForm, CommentForm, ReportForm, TransitionForm
from .models import Event
from .selectors import (
    categories_active,
    event_counts,
    events_visible_to,
    likely_duplicates,
    timeline,
)
from .services import event_assign, event_comment, event_merge, event_report, event_transition

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


@login_required
def event_list(request: SignedInRequest) -> HttpResponse:
    """Events in the user's jurisdiction, or under ``?code=``; tabs for the open, overdue,
    escalated and finished ones."""
    events = _visible(request)
    code = request.GET.get("code", "")
    if code.isdigit() and len(code) in (12, 15):
        events = events.filter(prefix_range("grid_code", scope_prefix(code)))
    view = request.GET.get("view", "open")
    view = view if view in VIEWS else "open"
    counts = event_counts(events)
    shown = {
        "open": events.open(),
        "overdue": events.overdue(timezone.now()),
        "escalated": events.open().escalated(),
        "closed": events.finished(),
    }[view]
    if view == "overdue":
        shown = shown.order_by("deadline")
    return render(request, "events/list.html", {
        "events": page_of(request, shown),
        "counts": counts,
        "views": VIEWS,
        "view": view,
        "code": code,
        "query": f"view={view}&" + (f"code={code}&" if code else ""),
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
    event = get_object_or_404(_visible(request), pk=pk)
    allowed = workflow.allowed(user, event)
    return render(request, "events/detail.html", {
        "event": event,
        "timeline": timeline(event),
        "photos": event.photos.all(),
        "transitions": [t for t in allowed if t.name != "merge"],
        "transition_form": TransitionForm(user=user, event=event),
        "may_merge": any(t.name == "merge" for t in allowed),
        "duplicates": likely_duplicates(events_visible_to(user), category=event.category,
                                        longitude=event.longitude, latitude=event.latitude,
                                        exclude=event) if event.is_open else [],
        "assign_form": (AssignForm(event=event) if event.is_open
                        and can(user, Action.TRIAGE_EVENTS) else None),
        "comment_form": CommentForm() if can(user, Action.COMMENT_EVENTS) else None,
        "merged": event.duplicates.all(),
    })


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
        form = TransitionForm(request.POST, user=request.user, event=event)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[f].label}: {' '.join(e)}" if f in form.fields
                                   else " ".join(e) for f, e in form.errors.items()])
        data = form.cleaned_data
        changed = event_transition(event=event, name=data["action"], by=request.user,
                                   comment=data["comment"], organization=data["organization"],
                                   deadline=data["deadline"])
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
