"""Daily health monitoring pages.

Residents (no account), from a phone: the building's QR poster or a grid worker's link opens
``start``, where they say who they are with their name and the last four characters of their
ID; the pass it gives the phone opens ``answers``, for themselves and their household, and the
answer is a receipt once the check-in is durable (group commit, ``writer.py``).

Staff: the day of each grid (who has checked in, who needs attention, who has not), and the
form a grid worker fills in for a household that cannot.
"""

import datetime
import functools
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import access_record, purpose_text
from wangge.divisions.selectors import grids_visible_to
from wangge.foundation.actors import system_actor
from wangge.foundation.limits import client_over_limit, remember_client
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to
from wangge.places.models import Building, Dwelling

from .forms import IdentifyForm
from .models import CheckInChannel, EnteredBy, Symptom, TestResult
from .passes import PASS_COOKIE, PASS_PATH, pass_issue, pass_read, place_of, place_token
from .selectors import (
    check_in_shown,
    day_check_ins,
    grid_days,
    household_of,
    not_checked_in,
    person_identified,
    sees_health,
    today_answers,
)
from .services import Entry, Outcome, answer_checked, check_ins_save, test_required, today
from .writer import WriterBusyError, WriterTimeoutError, check_ins_submit

# Residents have no account: their check-ins are the system's, and only for the persons their
# signed pass names.
RESIDENTS = system_actor("residents' check-in")
CHANNELS = frozenset(CheckInChannel.values)


# --- residents --------------------------------------------------------------------------

def _place(place: Mapping[str, int]) -> Building | None:
    """The building of a place token (a dwelling's, for a grid worker's link)."""
    if "dwelling" in place:
        dwelling = Dwelling.objects.select_related("building").filter(pk=place["dwelling"])
        found = dwelling.first()
        return found.building if found else None
    return Building.objects.filter(pk=place["building"]).first()


def _identify_over_limit(request: HttpRequest) -> bool:
    """Attempts to say who one is count against the phone and the network, like the residents'
    report page: guessing four characters takes many tries."""
    return client_over_limit(request, "health.identify",
                             rate=settings.WANGGE_CHECKIN_IDENTIFY_RATE,
                             network_rate=settings.WANGGE_CHECKIN_IDENTIFY_IP_RATE)


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, token: str) -> HttpResponse:
    """Say who you are: name and the last four characters of the ID. A wrong value and a
    person who does not live here get the same answer."""
    place = place_of(token)
    building = _place(place) if place else None
    if place is None or building is None:
        raise Http404
    form = IdentifyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _identify_over_limit(request):
            form.add_error(None, _("Too many tries from this phone or network just now. "
                                   "Please try again later, or ask your grid worker."))
            status = 429
        elif form.is_valid():
            person = person_identified(place=place, name=form.cleaned_data["name"],
                                       last_four=form.cleaned_data["last_four"])
            if person is not None:
                passed = redirect("health:answers")
                channel = (CheckInChannel.LINK if "dwelling" in place
                           else CheckInChannel.POSTER)
                passed.set_cookie(PASS_COOKIE, pass_issue(household_of(person),
                                                          channel=channel),
                                  max_age=settings.WANGGE_CHECKIN_PASS_DAYS * 86400,
                                  path=PASS_PATH, httponly=True, samesite="Lax",
                                  secure=request.is_secure())
                return passed
            form.add_error(None, _("These details do not match anyone we can check in here. "
                                   "Write your name as on your ID card and the last four "
                                   "characters of the ID number, or ask your grid worker."))
    has_pass = pass_read(request.COOKIES.get(PASS_COOKIE, "")) is not None
    response = render(request, "health/start.html", {
        "building": building, "form": form, "has_pass": has_pass}, status=status)
    return remember_client(request, response)


def _no_pass(request: HttpRequest) -> HttpResponse:
    return render(request, "health/refused.html", {
        "message": _("Scan the QR code on your building again, or open the link your grid "
                     "worker sent, to say who you are first.")}, status=403)


def _entries(data: Mapping[str, Any], ids: list[int], *, channel: str,
             entered_by: Mapping[int, str], recorder_id: int | None = None
             ) -> tuple[list[Entry], dict[int, dict[str, list[str]]]]:
    """The answers of a form with one fieldset per person (``temperature-<id>``,
    ``symptoms-<id>``, ``test_result-<id>``); a person left without a temperature is not
    answered for."""
    entries, errors = [], {}
    for pk in ids:
        temperature = str(data.get(f"temperature-{pk}", "")).strip()
        if not temperature:
            continue
        symptoms = (data.getlist(f"symptoms-{pk}") if hasattr(data, "getlist")
                    else data.get(f"symptoms-{pk}", []))
        try:
            answer = answer_checked(temperature=temperature, symptoms=symptoms,
                                    test_result=str(data.get(f"test_result-{pk}", "")))
        except ValidationError as error:
            errors[pk] = error.message_dict
            continue
        entries.append(Entry(person_id=pk, answer=answer, entered_by=entered_by[pk],
                             channel=channel, recorder_id=recorder_id))
    return entries, errors


def _form_context(persons: list[Person], data: Mapping[str, Any] | None,
                  errors: dict[int, dict[str, list[str]]], day: datetime.date) -> dict[str, Any]:
    """One fieldset per person: what was typed (or today's answer), its errors, and whether
    a test result is asked."""
    given = today_answers([person.pk for person in persons], day)
    rows = []
    for person in persons:
        earlier = given.get(person.pk)
        if data is not None:
            temperature = data.get(f"temperature-{person.pk}", "")
            symptoms = data.getlist(f"symptoms-{person.pk}") if hasattr(data, "getlist") else []
            test = data.get(f"test_result-{person.pk}", "")
        elif earlier is not None:
            temperature, symptoms, test = (earlier.temperature, earlier.symptoms,
                                           earlier.test_result)
        else:
            temperature, symptoms, test = "", [], ""
        rows.append({"person": person, "temperature": temperature, "symptoms": symptoms,
                     "test_result": test, "errors": errors.get(person.pk, {}),
                     "earlier": earlier, "test_required": test_required(person.grid_code)})
    return {"rows": rows, "symptom_choices": Symptom.choices,
            "test_choices": TestResult.choices, "fever": settings.WANGGE_FEVER_CELSIUS}


def _busy(request: HttpRequest) -> HttpResponse:
    response = render(request, "health/refused.html", {
        "message": _("Many people are checking in just now, so yours was not taken. Please "
                     "send it again in a moment.")}, status=503)
    response["Retry-After"] = "2"
    return response


@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest) -> HttpResponse:
    """The day's answers for the persons of the pass; the receipt once they are stored."""
    found = pass_read(request.COOKIES.get(PASS_COOKIE, ""))
    if found is None:
        return _no_pass(request)
    ids, channel = found
    if channel not in CHANNELS:
        return _no_pass(request)
    errors: dict[int, dict[str, list[str]]] = {}
    problem = ""
    if request.method == "POST":
        entered_by = {pk: EnteredBy.SELF if pk == ids[0] else EnteredBy.HOUSEHOLD
                      for pk in ids}
        entries, errors = _entries(request.POST, ids, channel=channel, entered_by=entered_by)
        if not entries and not errors:
            problem = _("Give the temperature of at least one person.")
        elif entries and not errors:
            try:
                outcome = check_ins_submit(entries=entries, by=RESIDENTS)
            except (WriterBusyError, WriterTimeoutError, DatabaseError):
                return _busy(request)
            errors = {entries[position].person_id: problems
                      for position, problems in outcome.refused.items()}
            if not errors:
                return _receipt(request, outcome)
    persons = list(Person.objects.filter(pk__in=ids, merged_into=None)
               .order_by("pk"))
    persons.sort(key=lambda person: ids.index(person.pk))
    if not persons:
        return _no_pass(request)
    context = _form_context(persons, request.POST if request.method == "POST" else None,
                            errors, today())
    status = 422 if errors or problem else 200
    return render(request, "health/answers.html", {**context, "problem": problem},
                  status=status)


@functools.cache
def _receipt_frame(language: str) -> tuple[str, str]:
    """The receipt page around its list, once per language: the receipt answers every
    check-in of a morning's burst, and rendering the whole page each time cost more than
    storing the check-in."""
    page = render_to_string("health/receipt.html", {"receipt": _FRAME_MARK})
    before, after = page.split(_FRAME_MARK)
    return before, after


_FRAME_MARK = "\x00receipt\x00"


@functools.cache
def _receipt_words(language: str) -> tuple[str, str, str]:
    """The receipt's sentences in ``language``, escaped for HTML."""
    return (escape(_("Received")),
            escape(_("(your earlier answer today is replaced)")),
            escape(_("Your grid worker will contact you today. If you feel worse, call 120 "
                     "or go to a fever clinic.")))


def _receipt(request: HttpRequest, outcome: Outcome) -> HttpResponse:
    """The receipt: the frame of its language and, put together here rather than by the
    template engine (a third of a check-in's time), who was checked in and when."""
    saved = [item for item in outcome.saved if item is not None]
    language = get_language()
    before, after = _receipt_frame(language)
    received, replaced, attention = _receipt_words(language)
    names = "".join(
        f"<li>{escape(item.name)}"
        + (f" <small>{replaced}</small>" if item.updated else "") + "</li>"
        for item in saved)
    alert = (f'\n  <p class="attention">{attention}</p>'
             if any(item.alert for item in saved) else "")
    at = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    body = (f'<section class="receipt" role="status">\n  <h1>{received} ✓</h1>\n'
            f'  <p class="when mono">{at}</p>\n  <ul>{names}</ul>{alert}\n</section>\n')
    return HttpResponse(before + body + after)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    """Forget the pass on this phone (a shared phone)."""
    response = render(request, "health/refused.html", {
        "message": _("This phone no longer checks in for anyone. Scan the QR code again to "
                     "start over.")})
    response.delete_cookie(PASS_COOKIE, path=PASS_PATH)
    return response


# --- staff ------------------------------------------------------------------------------

def _day(request: HttpRequest) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today()
    return min(day, today())


def _read_logged(request: SignedInRequest, person_ids: list[int]) -> None:
    """Answers shown unmasked are a read of health data: logged with the health purpose."""
    if person_ids and sees_health(request.user):
        access_record(by=request.user, kind=Kind.LIST, request=request,
                      fields=["health_status"], record_ids=person_ids, target="check-ins",
                      purpose=purpose_text(Purpose.HEALTH))


@action_required(Action.VIEW_CHECK_INS)
def home(request: SignedInRequest) -> HttpResponse:
    """Each of the user's grids: residents expected, checked in, needing attention."""
    day = _day(request)
    grids = grid_days(request.user, day)
    return render(request, "health/home.html", {"grids": grids, "day": day})


@action_required(Action.VIEW_CHECK_INS)
def grid(request: SignedInRequest, code: str) -> HttpResponse:
    """A grid's day: who has not checked in (the grid worker's list), and the check-ins."""
    found = get_object_or_404(grids_visible_to(request.user), code=code)
    day = _day(request)
    missing = not_checked_in(request.user, day).filter(grid_code=code)
    check_ins = list(day_check_ins(request.user, day).filter(grid_code=code))
    _read_logged(request, [check_in.person_id for check_in in check_ins])
    return render(request, "health/grid.html", {
        "grid": found, "day": day, "is_today": day == today(),
        "missing": missing, "check_ins": [(check_in, check_in_shown(request.user, check_in))
                                          for check_in in check_ins],
        "may_record": can(request.user, Action.RECORD_CHECK_INS),
    })


@action_required(Action.RECORD_CHECK_INS)
def household(request: SignedInRequest, pk: int) -> HttpResponse:
    """A grid worker checks in a household that cannot (the elderly): one fieldset each."""
    person = get_object_or_404(persons_visible_to(request.user), pk=pk)
    persons = household_of(person)
    errors: dict[int, dict[str, list[str]]] = {}
    problem = ""
    if request.method == "POST":
        entries, errors = _entries(
            request.POST, [member.pk for member in persons], channel=CheckInChannel.PAGE,
            entered_by=dict.fromkeys((member.pk for member in persons), EnteredBy.GRID_WORKER),
            recorder_id=request.user.pk)
        if not entries and not errors:
            problem = _("Give the temperature of at least one person.")
        elif entries and not errors:
            outcome = check_ins_save(entries=entries, by=request.user, partial=True)
            errors = {entries[position].person_id: problems
                      for position, problems in outcome.refused.items()}
            if not errors:
                names = "、".join(item.name for item in outcome.saved if item)
                messages.success(request, _("Checked in: %(names)s.") % {"names": names})
                return redirect(reverse("health:grid", args=[person.grid_code]))
    context = _form_context(persons, request.POST if request.method == "POST" else None,
                            errors, today())
    link = None
    if person.dwelling_id is not None:
        link = request.build_absolute_uri(
            reverse("health:start", args=[place_token(dwelling=person.dwelling_id)]))
        if settings.WANGGE_PUBLIC_BASE_URL:
            link = settings.WANGGE_PUBLIC_BASE_URL + reverse(
                "health:start", args=[place_token(dwelling=person.dwelling_id)])
    return render(request, "health/household.html", {
        **context, "person": person, "problem": problem, "link": link},
        status=422 if errors or problem else 200)
