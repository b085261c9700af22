"""The pages. Each fetches through a scoped selector (a record outside the user's jurisdiction
is 404, exactly like one that does not exist), acts through a service, and renders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from wangge.access.decorators import action_required
from wangge.access.selectors import grid_workers_of
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import (
    AccessLogUnavailableError,
    person_reads_record,
    purpose_text,
)
from wangge.divisions.selectors import area_name, area_names, divisions_in, grids_in
from wangge.epidemic.selectors import person_cases
from wangge.foundation.codes import Level, prefix_range, scope_prefix
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, SensitiveField, can, sees_unmasked
from wangge.foundation.requests import SignedInRequest
from wangge.people.selectors import (
    household_members,
    household_name,
    households_visible_to,
    person_history,
    persons_search,
    persons_visible_to,
    sensitive_search_terms,
)
from wangge.people.services import person_update
from wangge.places.selectors import buildings_visible_to, dwellings_visible_to
from wangge.populations.models import Circumstance, Population
from wangge.populations.selectors import person_circumstances
from wangge.risk.dashboard import building_risk

from .forms import PersonForm, RevealForm, SearchForm
from .selectors import (
    area_map,
    building_table,
    buildings_with_counts,
    child_divisions_with_counts,
    dwellings_with_counts,
    grid_map,
    grids_with_counts,
    home_of,
    jurisdiction_counts,
    jurisdiction_roots,
    resident_home,
    task_home,
    trail,
    with_sensitive,
)


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    """A grid worker's or department's to-do list, a resident's reports, or else the
    jurisdiction with its counts and map."""
    user = request.user
    if can(user, Action.VIEW_COCKPIT) and not user.is_superuser:
        # Community, street and district: the day starts at the cockpit.
        return redirect("cockpit:home")
    home = home_of(user)
    if home == "tasks":
        return render(request, "web/tasks.html", task_home(user))
    if home == "resident":
        return render(request, "web/resident_home.html", resident_home(user))
    return render(request, "web/home.html", {
        "counts": jurisdiction_counts(user),
        "roots": jurisdiction_roots(user),
        "map": area_map(user, grids_in(user.scope_prefixes)),
    })


@login_required
def division(request: SignedInRequest, code: str) -> HttpResponse:
    user = request.user
    division = get_object_or_404(divisions_in(user.scope_prefixes), code=code)
    grids = grids_in(user.scope_prefixes).filter(prefix_range("code", scope_prefix(code)))
    return render(request, "web/division.html", {
        "division": division,
        "trail": trail(user, code)[:-1],
        "children": child_divisions_with_counts(user, division),
        "grids": (grids_with_counts(user, grids.filter(community=division))
                  if division.level == Level.COMMUNITY else []),
        "map": area_map(user, grids),
    })


@login_required
def grid(request: SignedInRequest, code: str) -> HttpResponse:
    user = request.user
    grid = get_object_or_404(grids_in(user.scope_prefixes), code=code)
    buildings = page_of(request, buildings_with_counts(
        user, buildings_visible_to(user).filter(grid_code=code)
    ))
    return render(request, "web/grid.html", {
        "grid": grid,
        "trail": trail(user, code)[:-1],
        "workers": grid_workers_of(code),
        "buildings": buildings,
        "map": grid_map(user, [grid], buildings),
    })


@action_required(Action.VIEW_PLACES)
def unplaced(request: SignedInRequest) -> HttpResponse:
    """Buildings no grid boundary covers yet, kept under the division they were filed in."""
    buildings = buildings_visible_to(request.user).unplaced().annotate(area_name=area_name())
    return render(request, "web/unplaced.html", {
        "buildings": page_of(request, buildings_with_counts(request.user, buildings)),
    })


@action_required(Action.VIEW_PLACES)
def building(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    building = get_object_or_404(buildings_visible_to(user).annotate(area_name=area_name()),
                                 pk=pk)
    table = building_table(user, building)
    dwellings = None
    if table is None:  # too many flats to draw: the paged list
        dwellings = page_of(request, dwellings_with_counts(
            user, dwellings_visible_to(user).filter(building=building)))
    return render(request, "web/building.html", {
        "building": building,
        "trail": trail(user, building.grid_code),
        "table": table,
        "dwellings": dwellings,
        "risk": building_risk(user, building),
    })


@action_required(Action.VIEW_PLACES)
def dwelling(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    dwelling = get_object_or_404(dwellings_visible_to(user), pk=pk)
    residents = with_sensitive(user, persons_visible_to(user).filter(dwelling=dwelling)
                               .select_related("household"))
    response = render(request, "web/dwelling.html", {
        "dwelling": dwelling,
        # The owner is named to those who may see them (another grid's owner is not).
        "owner": persons_visible_to(user).filter(pk=dwelling.owner_id).first()
        if dwelling.owner_id else None,
        "trail": trail(user, dwelling.grid_code),
        "residents": residents,
        "households": households_visible_to(user).filter(dwelling=dwelling)
                      .select_related("head").order_by("pk"),
    })
    person_reads_record(by=user, request=request, kind=Kind.LIST,
                        record_ids=[person.pk for person in residents])
    return response


@action_required(Action.VIEW_PEOPLE)
def household(request: SignedInRequest, pk: int) -> HttpResponse:
    """A household and its members, scoped and masked like persons (the list is logged as
    the dwelling's is)."""
    user = request.user
    household = get_object_or_404(
        households_visible_to(user).select_related("head", "dwelling__building"), pk=pk)
    members = with_sensitive(user, household_members(user, household))
    response = render(request, "web/household.html", {
        "household": household,
        "name": household_name(household),
        "area": area_names([household.grid_code]).get(household.grid_code, ""),
        "trail": trail(user, household.grid_code),
        "members": members,
    })
    person_reads_record(by=user, request=request, kind=Kind.LIST,
                        record_ids=[person.pk for person in members])
    return response


@action_required(Action.VIEW_PEOPLE)
def person_search(request: SignedInRequest) -> HttpResponse:
    """Search by name prefix, phone or ID; htmx asks for the results alone as one types."""
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = None
    if text:
        results = page_of(request, persons_search(request.user, text)
                          .select_related("dwelling__building").annotate(area_name=area_name()))
        results.object_list = with_sensitive(request.user, results.object_list)
    template = "web/person_search.html#results" if request.htmx else "web/person_search.html"
    response = render(request, template, {"form": form, "text": text, "results": results})
    if results is not None:
        # A search by a number is logged (as its digest) even when it finds no one.
        person_reads_record(by=request.user, request=request, kind=Kind.LIST,
                            record_ids=[person.pk for person in results.object_list],
                            searched=sensitive_search_terms(request.user, text))
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@action_required(Action.VIEW_PEOPLE)
def person_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_object_or_404(
        persons_visible_to(user).select_related("dwelling__building", "household__head"), pk=pk
    )
    response = _person_page(request, person, revealed=False)
    person_reads_record(by=user, request=request, record_ids=[person.pk])
    return response


def _person_page(request: SignedInRequest, person: Any, *, revealed: bool,
                 status: int = 200) -> HttpResponse:
    user = request.user
    history = (person_history(user, person, revealed=revealed)
               if can(user, Action.VIEW_HISTORY) else None)
    return render(request, "web/person_detail.html", {
        "person": with_sensitive(user, [person], revealed=revealed)[0],
        "trail": trail(user, person.grid_code),
        "history": history,
        "may_edit": can(user, Action.EDIT_PEOPLE),
        "cases": person_cases(user, person.pk) if can(user, Action.VIEW_CASES) else None,
        "circumstances": person_circumstances(user, person),
        # Those the person is not in yet (the others are changed from their own section).
        "populations": Population.objects.exclude(pk__in=Circumstance.objects.filter(
            person=person, ended_on=None).values("population"))
        if can(user, Action.EDIT_PEOPLE) else [],
        "may_record_case": can(user, Action.RECORD_CASES),
        "may_reveal": not revealed and person.id_number
        and sees_unmasked(user, SensitiveField.ID_NUMBER),
    }, status=status)


@action_required(Action.VIEW_PEOPLE)
def person_reveal(request: SignedInRequest, pk: int) -> HttpResponse:
    """The full ID number (and birth date), once the user says why; the reveal is logged
    before anything is shown, and nothing is shown when it cannot be logged."""
    user = request.user
    person = get_object_or_404(
        persons_visible_to(user).select_related("dwelling__building", "household__head"), pk=pk
    )
    if not sees_unmasked(user, SensitiveField.ID_NUMBER):
        raise PermissionDenied
    form = RevealForm(request.POST or None)
    context = {"person": person, "form": form, "trail": trail(user, person.grid_code)}
    if request.method == "POST" and form.is_valid():
        try:
            person_reads_record(by=user, request=request, kind=Kind.REVEAL, revealed=True,
                                record_ids=[person.pk], purpose=form.stated_purpose(),
                                required=True)
        except AccessLogUnavailableError as error:
            form.add_error(None, error.message)
            status = 503
        else:
            if request.htmx:
                shown = with_sensitive(user, [person], revealed=True)[0]
                return render(request, "web/person_reveal.html#revealed", {"person": shown})
            return _person_page(request, person, revealed=True)
    else:
        status = 400 if request.method == "POST" else 200
    # htmx swaps only a 2xx answer: the form comes back with its errors either way.
    template = "web/person_reveal.html#form" if request.htmx else "web/person_reveal.html"
    response = render(request, template, context, status=200 if request.htmx else status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@action_required(Action.VIEW_PEOPLE)
def person_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_object_or_404(persons_visible_to(user), pk=pk)
    if not can(user, Action.EDIT_PEOPLE):
        raise PermissionDenied
    # The form holds the full ID and birth date: opening it is a reveal, for correcting the
    # record, logged before anything is shown.
    try:
        person_reads_record(by=user, request=request, kind=Kind.REVEAL, revealed=True,
                            record_ids=[person.pk], required=True,
                            purpose=purpose_text(Purpose.CORRECTION))
    except AccessLogUnavailableError as error:
        messages.error(request, error.message)
        return redirect("web:person", pk=person.pk)
    form = PersonForm(request.POST or None, person=person, user=user)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            form.add_error(None, _("Nothing was changed."))
        else:
            try:
                person_update(person=person, by=user, reason=form.cleaned_data["reason"],
                              **changes)
            except ValidationError as error:
                form.add_error(None, error)
                # The service set the refused values on the instance; show the stored record.
                person.refresh_from_db()
            else:
                messages.success(request, _("Saved. The change is in the history below."))
                return redirect("web:person", pk=person.pk)
    return render(request, "web/person_edit.html", {
        "person": person,
        "trail": trail(user, person.grid_code),
        "form": form,
    })
