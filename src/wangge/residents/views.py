"""Residents' pages: signing in on a phone (a code, or a grid worker's link), their own record
and household, asking for a correction; and for staff, making a sign-in link and answering
corrections; a resident's own requests (诉求) and their ratings."""

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.events.models import Event
from wangge.events.offers import Offer
from wangge.events.services import event_rating_open
from wangge.foundation import limits
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, mask_phone
from wangge.foundation.requests import SignedInRequest
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to

from .forms import (
    CodeForm,
    CorrectionAnswerForm,
    CorrectionForm,
    PhoneForm,
    RequestForm,
    RequestRatingForm,
)
from .models import ResidentRequest
from .selectors import (
    corrections_visible_to,
    own_corrections,
    own_record,
    own_requests,
    request_answers,
    request_photos,
    request_ratings,
    request_reopened,
    requests_visible_to,
    resident_person,
    state_words,
)
from .services import (
    OPEN_REQUESTS,
    correction_answer,
    correction_request,
    phone_key,
    resident_account_for,
    resident_request_file,
    resident_request_rate,
    sign_in_code_check,
    sign_in_code_send,
    sign_in_link_create,
    sign_in_link_use,
)

# The number a code was asked for, between the two steps of signing in.
SIGN_IN_PHONE = "resident_sign_in_phone"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _too_many(request: HttpRequest, step: str, phone: str = "") -> bool:
    """Count this ``step`` ("code", "check", "link") against the network address and, with a
    ``phone``, against the number (by its digest), whether or not anyone has it."""
    rate, network_rate = {
        "code": (settings.WANGGE_RESIDENT_CODE_RATE, settings.WANGGE_RESIDENT_CODE_IP_RATE),
        "check": (settings.WANGGE_RESIDENT_CHECK_RATE, settings.WANGGE_RESIDENT_CHECK_IP_RATE),
        "link": (settings.WANGGE_RESIDENT_CHECK_RATE, settings.WANGGE_RESIDENT_CHECK_IP_RATE),
    }[step]
    by_network = limits.over_limit(request, f"residents.{step}-ip", rate=network_rate)
    by_phone = bool(phone) and limits.over_limit(
        request, f"residents.{step}-phone", rate=rate, key=f"phone:{phone_key(phone)}")
    return by_network or by_phone


TOO_MANY = gettext_noop("Too many tries from this phone number or network just now. Wait a "
                        "while and try again, or ask your grid worker for a sign-in link.")


def _signed_in(request: HttpRequest, person: Person) -> HttpResponse:
    user = resident_account_for(person=person)
    login(request, user, backend=BACKEND)  # logged as every sign-in is (auditlog.signals)
    request.session.pop(SIGN_IN_PHONE, None)
    return redirect("residents:me")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: the phone number. The answer is the same whether or not a record has it."""
    form = PhoneForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        if _too_many(request, "code", phone):
            form.add_error(None, _(TOO_MANY))
            status = 429
        else:
            sign_in_code_send(phone=phone)
            request.session[SIGN_IN_PHONE] = phone
            return redirect("residents:sign_in_code")
    return render(request, "residents/sign_in.html", {"form": form},
                  status=400 if form.errors and status == 200 else status)


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code sent to the number, if a person's record has it."""
    phone = request.session.get(SIGN_IN_PHONE, "")
    if not phone:
        return redirect("residents:sign_in")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many(request, "check", phone):
            form.add_error(None, _(TOO_MANY))
            status = 429
        else:
            try:
                person = sign_in_code_check(phone=phone, code=form.cleaned_data["code"])
            except ValidationError as error:
                service_errors_shown(form, error)
                status = 400
            else:
                return _signed_in(request, person)
    return render(request, "residents/sign_in_code.html",
                  {"form": form, "phone": mask_phone(phone)}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, secret: str) -> HttpResponse:
    """A grid worker's one-time link. Opening it shows a button: a link previewer or a scanner
    that fetches it does not spend it; the button signs in."""
    error = ""
    status = 200
    if request.method == "POST":
        if _too_many(request, "link"):
            error, status = _(TOO_MANY), 429
        else:
            try:
                person = sign_in_link_use(secret=secret)
            except ValidationError as refused:
                error, status = refusal_text(refused), 400
            else:
                return _signed_in(request, person)
    return render(request, "residents/sign_in_link.html", {"error": error}, status=status)


@action_required(Action.VIEW_OWN_RECORD)
def me(request: SignedInRequest) -> HttpResponse:
    """A resident's own record in full, their household's names, its history, and their
    requests for corrections."""
    person = resident_person(request.user)
    if person is None:
        return render(request, "residents/not_linked.html")
    return render(request, "residents/me.html", {
        **own_record(request.user, person, request),
        "corrections": own_corrections(person),
        "form": CorrectionForm(),
    })


@require_POST
@action_required(Action.VIEW_OWN_RECORD)
def correction_ask(request: SignedInRequest) -> HttpResponse:
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            correction_request(by=request.user, parts=form.cleaned_data["parts"],
                               text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("Your request was sent to your grid worker. The "
                                        "answer will be shown here."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values()
                                         for e in errors))
    return redirect(reverse("residents:me") + "#corrections")


@require_POST
@action_required(Action.EDIT_PEOPLE)
def link_create(request: SignedInRequest, pk: int) -> HttpResponse:
    """Make a one-time sign-in link for a person of the jurisdiction, shown once, with its QR
    code for the person's phone to scan."""
    person = get_object_or_404(persons_visible_to(request.user), pk=pk)
    secret = sign_in_link_create(person=person, by=request.user)
    url = request.build_absolute_uri(reverse("residents:sign_in_link", args=[secret]))
    return render(request, "residents/link_made.html", {
        "person": person, "url": url, "hours": settings.WANGGE_RESIDENT_LINK_HOURS,
        "qr": segno.make(url, error="m").svg_inline(scale=4),
    })


@action_required(Action.EDIT_PEOPLE)
def corrections(request: SignedInRequest) -> HttpResponse:
    """The residents' correction requests of the jurisdiction, those waiting first."""
    requests = corrections_visible_to(request.user).order_by("-state", "created")
    return render(request, "residents/corrections.html",
                  {"requests": requests[:200]})


@require_http_methods(["GET", "POST"])
@action_required(Action.EDIT_PEOPLE)
def correction(request: SignedInRequest, pk: int) -> HttpResponse:
    """One request: what the resident asked, a link to their record (corrected there, with a
    reason and its history), and the answer."""
    found = get_object_or_404(corrections_visible_to(request.user), pk=pk)
    form = CorrectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            correction_answer(request=found, by=request.user,
                              corrected=form.cleaned_data["corrected"],
                              answer=form.cleaned_data["answer"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, _("Answered. The resident sees it on their page."))
        return redirect("residents:correction", pk=found.pk)
    return render(request, "residents/correction.html", {"request_": found, "form": form})


@action_required(Action.VIEW_OWN_RECORD)
def requests_own(request: SignedInRequest) -> HttpResponse:
    """A resident's own requests, the newest first: kind, number, how it stands, the
    deadline, and whether an answer or a rating waits."""
    person = resident_person(request.user)
    page = page_of(request, own_requests(person))
    return render(request, "residents/requests.html", {
        "linked": person is not None, "page": page,
        "requests": [(found, state_words(found.event)) for found in page]})


def _request_too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "residents/request_new.html", {
        "form": RequestForm(), "most": OPEN_REQUESTS,
        "refused": limits.public_body_refusal()}, status=413)


@csrf_exempt  # csrf_protect below checks the token once the body is known to be small
@require_http_methods(["GET", "POST"])
@action_required(Action.VIEW_OWN_RECORD)
@limits.limit_body(limits.public_body_limit, _request_too_large)
@csrf_protect
def request_new(request: SignedInRequest) -> HttpResponse:
    """Ask a question, say a need or make a complaint (with photos): an event in the
    resident's grid."""
    if resident_person(request.user) is None:
        return render(request, "residents/not_linked.html")
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = resident_request_file(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Sent as %(number)s. The answer will be shown here.")
                             % {"number": filed.event.number})
            return redirect("residents:request", pk=filed.pk)
    return render(request, "residents/request_new.html", {"form": form,
                                                          "most": OPEN_REQUESTS},
                  status=400 if form.errors else 200)


def _own_request(request: SignedInRequest, pk: int) -> ResidentRequest:
    """One of the resident's own requests, or 404 (anyone else's, none, or an id beyond a
    64-bit key, which the model's own key turns into no row on every database)."""
    found = own_requests(resident_person(request.user)).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@action_required(Action.VIEW_OWN_RECORD)
def request_own(request: SignedInRequest, pk: int) -> HttpResponse:
    """One request: what was asked, how it stands, the answers, the ratings and, when it is
    closed and not rated since, the rating form."""
    found = _own_request(request, pk)
    event = found.event
    return render(request, "residents/request.html", {
        "request_": found, "event": event, "state": state_words(event),
        "answers": request_answers(event), "photos": request_photos(event),
        "ratings": request_ratings(event), "reopened": request_reopened(event),
        "form": RequestRatingForm() if event_rating_open(event) else None})


@action_required(Action.VIEW_OWN_RECORD)
def request_photo(request: SignedInRequest, pk: int, photo: int) -> FileResponse:
    """A photo the resident sent with their request, or one of the result reported back."""
    found = get_object_or_404(request_photos(_own_request(request, pk).event), pk=photo)
    return FileResponse(found.image.open("rb"), content_type=found.content_type)


@require_POST
@action_required(Action.VIEW_OWN_RECORD)
def request_rate(request: SignedInRequest, pk: int) -> HttpResponse:
    found = _own_request(request, pk)
    form = RequestRatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values()
                                         for e in errors))
        return redirect("residents:request", pk=found.pk)
    try:
        rating = resident_request_rate(request=found, by=request.user, **form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _(
            "Thank you. As you were not satisfied, your request is open again: the level "
            "above will answer it.") if rating.reopened else _("Thank you for your rating."))
    return redirect("residents:request", pk=found.pk)


def resident_request_offer(user: Any, event: Event) -> list[Offer]:
    """On the event of a resident's request: whose it is, as a link to their record for a
    role that sees it (the event's category already says it is a resident's request)."""
    found = requests_visible_to(user).filter(event=event).first()
    if found is None or not persons_visible_to(user).filter(pk=found.person_id).exists():
        return []
    return [Offer(_("%(kind)s from a resident: %(name)s's record")
                  % {"kind": found.get_kind_display(), "name": found.person.name},
                  reverse("web:person", args=[found.person_id]))]
