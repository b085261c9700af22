"""The patrol pages, for a phone: one big start/end button, the building checklist with
search (htmx), the "record a finding" form; the coverage report and the patrol history for
those who oversee. Reads go through the scoped selectors (a patrol or grid outside the
jurisdiction is 404), writes through the services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wangge.divisions.selectors import area_name, area_names, with_area_names
from wangge.events.selectors import categories_active
from wangge.foundation.codes import prefix_range, scope_prefix
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .forms import FindingForm, StartForm
from .models import Patrol
from .selectors import (
    checklist,
    coverage_since,
    coverage_visible_to,
    open_patrol_of,
    patrol_findings,
    patroller_summaries,
    patrols_visible_to,
    unvisited_buildings,
)
from .services import (
    patrol_end,
    patrol_record_finding,
    patrol_require_own_open,
    patrol_start,
    patrol_visit,
)

# The checklist shows this many buildings at once; the search narrows the rest.
CHECKLIST_SIZE = 100


def _require(request: SignedInRequest, action: Action) -> None:
    if not can(request.user, action):
        raise PermissionDenied


def _patrol(request: SignedInRequest, pk: int) -> Patrol:
    _require(request, Action.VIEW_PATROLS)
    return get_object_or_404(patrols_visible_to(request.user), pk=pk)


def _days(request: SignedInRequest) -> int:
    days = request.GET.get("days", "")
    return int(days) if days.isdigit() and 0 < int(days) <= 3650 else (
        settings.WANGGE_PATROL_COVERAGE_DAYS)


def _code(request: SignedInRequest, queryset: QuerySet, field: str) -> tuple[QuerySet, str]:
    """Narrow to ``?code=`` (a grid or division code) when it is one."""
    code = request.GET.get("code", "")
    if code.isdigit() and len(code) in (12, 15):
        return queryset.filter(prefix_range(field, scope_prefix(code))), code
    return queryset, ""


def _checklist_context(request: SignedInRequest, patrol: Patrol) -> dict:
    text = request.GET.get("q", "")
    buildings = checklist(patrol, request.user, text)
    return {"patrol": patrol, "text": text, "buildings": buildings[:CHECKLIST_SIZE],
            "more": max(buildings.count() - CHECKLIST_SIZE, 0)}


@login_required
def patrol_home(request: SignedInRequest) -> HttpResponse:
    """The grid worker's patrol screen: start, or the checklist of the patrol under way."""
    if not can(request.user, Action.PATROL):
        _require(request, Action.VIEW_PATROLS)
        return redirect("patrols:coverage")
    patrol = open_patrol_of(request.user)
    if patrol is None:
        return render(request, "patrols/home.html", {
            "form": StartForm(user=request.user),
            "recent": patrols_visible_to(request.user).filter(patroller=request.user)
                      .with_counts().annotate(area_name=area_name())[:5]})
    with_area_names([patrol])
    visits = patrol.visits.count()
    total = checklist(patrol, request.user).count()
    return render(request, "patrols/home.html", {
        **_checklist_context(request, patrol), "visits": visits, "total": total,
        "findings": patrol.findings.count()})


@login_required
@require_POST
def patrol_start_view(request: SignedInRequest) -> HttpResponse:
    _require(request, Action.PATROL)
    form = StartForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a grid of your jurisdiction."))
        return redirect("patrols:home")
    try:
        patrol_start(grid_code=form.cleaned_data["grid"], by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("patrols:home")


@login_required
@require_POST
def patrol_end_view(request: SignedInRequest, pk: int) -> HttpResponse:
    patrol = _patrol(request, pk)
    try:
        patrol_end(patrol=patrol, note=request.POST.get("note", ""), by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect("patrols:home")
    messages.success(request, _("Patrol ended. Buildings visited: %(visits)s; findings: "
                                "%(findings)s.") % {"visits": patrol.visits.count(),
                                                    "findings": patrol.findings.count()})
    return redirect("patrols:detail", pk=patrol.pk)


@login_required
def patrol_buildings(request: SignedInRequest, pk: int) -> HttpResponse:
    """The checklist narrowed by ``?q=`` (the search box asks for it through htmx)."""
    patrol = _patrol(request, pk)
    return render(request, "patrols/home.html#checklist", _checklist_context(request, patrol))


@login_required
@require_POST
def patrol_visit_view(request: SignedInRequest, pk: int, building: int) -> HttpResponse:
    """Check off a building; htmx swaps in its updated row."""
    patrol = _patrol(request, pk)
    found = get_object_or_404(checklist(patrol, request.user), pk=building)
    try:
        patrol_visit(patrol=patrol, building=found, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect("patrols:home")
    if not request.htmx:
        return redirect("patrols:home")
    buildings = checklist(patrol, request.user)
    return render(request, "patrols/visited.html", {
        "patrol": patrol, "building": buildings.get(pk=found.pk),
        "visits": patrol.visits.count(), "total": buildings.count()})


@login_required
def patrol_finding(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record what was found: it becomes an event at once, linked to the patrol."""
    patrol = _patrol(request, pk)
    # Someone else's patrol is refused (403) before its form is shown; an ended one goes home.
    try:
        patrol_require_own_open(patrol=patrol, by=request.user)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("patrols:home")
    form = FindingForm(request.POST or None, request.FILES or None, patrol=patrol,
                       user=request.user, initial={"building": request.GET.get("building")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        category = categories_active().filter(pk=data["category"]).first()
        try:
            if category is None:
                raise ValidationError({"category": _("There is no such category.")})
            event = patrol_record_finding(
                patrol=patrol, category=category, description=data["description"],
                priority=data["priority"], building=data["building"],
                longitude=data["longitude"], latitude=data["latitude"],
                address=data["address"], photos=data["photos"], by=request.user)
        except PermissionDenied as error:
            messages.error(request, refusal_text(error))
            return redirect("patrols:home")
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Reported as %(number)s.") % {"number": event.number})
            return redirect("patrols:home")
    return render(request, "patrols/finding.html", {"patrol": patrol, "form": form})


@login_required
def patrol_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    patrol = _patrol(request, pk)
    return render(request, "patrols/detail.html", {
        "patrol": with_area_names([patrol])[0],
        "visits": patrol.visits.select_related("building"),
        "findings": patrol_findings(patrol),
    })


@login_required
def coverage(request: SignedInRequest) -> HttpResponse:
    """Each grid of the jurisdiction (or of ``?code=``): buildings not visited in ``?days=``."""
    _require(request, Action.VIEW_PATROLS)
    days = _days(request)
    grids, code = _code(request, coverage_visible_to(request.user, since=coverage_since(days)),
                        "code")
    return render(request, "patrols/coverage.html", {
        "grids": page_of(request, grids), "days": days, "code": code,
        "code_name": area_names([code]).get(code, code),
        "query": f"days={days}&" + (f"code={code}&" if code else "")})


@login_required
def coverage_grid(request: SignedInRequest, code: str) -> HttpResponse:
    _require(request, Action.VIEW_PATROLS)
    days = _days(request)
    since = coverage_since(days)
    grid = get_object_or_404(coverage_visible_to(request.user, since=since), code=code)
    return render(request, "patrols/coverage_grid.html", {
        "grid": grid, "days": days, "since": since,
        "buildings": unvisited_buildings(request.user, grid.code, since=since)})


@login_required
def history(request: SignedInRequest) -> HttpResponse:
    """Patrol history per patroller in the last ``?days=`` (or under ``?code=``), and the
    patrols themselves, of one patroller with ``?patroller=``."""
    _require(request, Action.VIEW_PATROLS)
    days = _days(request)
    patrols, code = _code(request, patrols_visible_to(request.user), "grid_code")
    patrols = patrols.filter(started_at__gte=coverage_since(days))
    patroller = request.GET.get("patroller", "")
    if patroller.isdigit():
        patrols = patrols.filter(patroller_id=int(patroller))
    return render(request, "patrols/history.html", {
        "summaries": patroller_summaries(patrols),
        "patrols": page_of(request, patrols.with_counts().annotate(area_name=area_name())),
        "days": days, "code": code, "code_name": area_names([code]).get(code, code),
        "patroller": patroller,
        "query": f"days={days}&" + (f"code={code}&" if code else "")
                 + (f"patroller={patroller}&" if patroller else "")})
