"""Pages of needs and offers: the board of the caller's jurisdiction (open needs with the
offers suggested for them, open offers), a need with its ranked candidates and matches, an
offer, a match to deliver, the forms; and the public sums of donations of an area, with no
sign-in."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.care.selectors import visits_visible_to
from wangge.divisions.models import Division
from wangge.divisions.selectors import area_names
from wangge.events.models import Event
from wangge.events.offers import Offer as EventOffer
from wangge.events.selectors import events_visible_to
from wangge.foundation.codes import Level, is_within, level_of, narrowed, scope_prefix
from wangge.foundation.forms import refusal_text, service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, SensitiveField, can, shown
from wangge.foundation.requests import SignedInRequest

from .forms import (
    BoardFilter,
    DeliverForm,
    DonationForm,
    MatchForm,
    NeedForm,
    OfferForm,
    PeriodForm,
    ReasonForm,
    responsible_choices,
)
from .models import MatchStatus, NeedStatus, OfferStatus
from .selectors import (
    OPEN_NEEDS,
    Period,
    candidates_for,
    deliveries_waiting,
    donation_sums,
    matches_visible_to,
    may_offer_for,
    needs_visible_to,
    offers_open,
    offers_visible_to,
    suggestions_for,
)
from .services import (
    donation_record,
    match_cancel,
    match_confirm,
    match_deliver,
    may_confirm_delivery,
    need_close,
    need_post,
    offer_close,
    offer_record,
)

POST, MATCH, OFFER = Action.POST_NEEDS, Action.MATCH_NEEDS, Action.OFFER_HELP
# The public page's longest period and the one it shows without asking.
LONGEST_PERIOD = datetime.timedelta(days=3 * 366)
DEFAULT_PERIOD = datetime.timedelta(days=365)
# Open offers the board lists (filters find the others).
OFFERS_LISTED = 50


@action_required(POST)
def board(request: SignedInRequest) -> HttpResponse:
    """Open needs (with the offers suggested for each) and open offers of the caller's
    jurisdiction, by kind, category and area."""
    user = request.user
    needs = needs_visible_to(user).filter(status__in=OPEN_NEEDS)
    offers = offers_open(offers_visible_to(user))
    filters = BoardFilter(request.GET or None, user=user)
    if filters.is_valid():
        data = filters.cleaned_data
        for name in ("kind", "category"):
            if data[name]:
                needs, offers = needs.filter(**{name: data[name]}), offers.filter(
                    **{name: data[name]})
        if data["code"]:
            needs = narrowed(needs, [scope_prefix(data["code"])])
            offers = narrowed(offers, [scope_prefix(data["code"])])
    page = page_of(request, needs.order_by("needed_by", "-posted_at", "pk"))
    listed = list(offers.order_by("available_until", "pk")[:OFFERS_LISTED])
    suggestions = suggestions_for(user, list(page))
    names = area_names({need.grid_code for need in page} | {offer.area_code for offer in listed})
    for need in page:
        need.grid_name = names.get(need.grid_code, need.grid_code)
        need.suggestions = suggestions.get(need.pk, [])
    return render(request, "needs/board.html", {
        "filters": filters, "needs": page, "offer_count": offers.count(),
        "offers": [(offer, names.get(offer.area_code, offer.area_code)) for offer in listed],
        "deliveries": list(deliveries_waiting(user)[:20]), "matches": can(user, MATCH)})


def _source(request: SignedInRequest) -> dict[str, Any]:
    """The event or care visit a need is posted from (``?event=``, ``?visit=``), as the
    caller sees it: 404 outside their jurisdiction."""
    source: dict[str, Any] = {}
    for name, selector in (("event", events_visible_to), ("visit", visits_visible_to)):
        value = request.GET.get(name, "")
        if value:
            if not value.isdigit() or len(value) > 18:
                raise Http404
            source["care_visit" if name == "visit" else name] = get_object_or_404(
                selector(request.user), pk=int(value))
    return source


@require_http_methods(["GET", "POST"])
@action_required(POST)
def need_new(request: SignedInRequest) -> HttpResponse:
    source = _source(request)
    form = NeedForm(request.POST or None, user=request.user, fixed_grid=bool(source))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = need_post(by=request.user, grid_code=data.get("grid_code", ""),
                             kind=data["kind"], category=data["category"], item=data["item"],
                             quantity=data["quantity"], unit=data["unit"],
                             description=data["description"], urgency=data["urgency"],
                             needed_by=data["needed_by"], **source)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The need is on the board."))
            return redirect("needs:need", pk=need.pk)
    return render(request, "needs/need_form.html", {"form": form, **source},
                  status=400 if form.errors else 200)


@action_required(POST)
def need_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    user = request.user
    matching = need.status in OPEN_NEEDS and can(user, MATCH)
    # The source is shown only to whoever may open it.
    event = (events_visible_to(user).filter(pk=need.event_id).first()
             if need.event_id is not None else None)
    return render(request, "needs/need.html", {
        "need": need, "grid_name": area_names([need.grid_code]).get(need.grid_code),
        "candidates": candidates_for(user, need)[:20] if matching else [],
        # One select per candidate's form: no ids, which would repeat.
        "match_form": MatchForm(need=need, auto_id=False) if matching else None,
        "matches": matches_visible_to(user).filter(need=need).order_by("-matched_at"),
        "event": event, "close_form": ReasonForm()})


@require_POST
@action_required(MATCH)
def need_match(request: SignedInRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    form = MatchForm(request.POST, need=need)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        offer = offers_visible_to(request.user).filter(pk=form.cleaned_data["offer"]).first()
        if offer is None:
            raise ValidationError(_("This offer is not on your board."))
        chosen = form.cleaned_data["assignee"]
        assignee = next((user for user in responsible_choices(need) if user.pk == chosen),
                        None) if chosen else None
        match = match_confirm(by=request.user, need=need, offer=offer,
                              quantity=form.cleaned_data["quantity"], assignee=assignee)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect("needs:need", pk=need.pk)
    messages.success(request, _("Matched: %(name)s is responsible for the delivery.")
                     % {"name": match.assignee.get_full_name() or match.assignee.username})
    return redirect("needs:match", pk=match.pk)


@require_POST
@action_required(POST)
def need_close_view(request: SignedInRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the need is closed."))
        need_close(by=request.user, need=need, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The need is closed."))
    return redirect("needs:need", pk=need.pk)


@action_required(OFFER)
def offers_ours(request: SignedInRequest) -> HttpResponse:
    """An organization's desk: the offers of the organizations it answers for, the newest
    first, and what became of them."""
    page = page_of(request, offers_visible_to(request.user).order_by("-recorded_at", "-pk"))
    names = area_names({offer.area_code for offer in page})
    return render(request, "needs/offers_ours.html", {
        "offers": page, "offers_and_areas": [
            (offer, names.get(offer.area_code, offer.area_code)) for offer in page]})


@require_http_methods(["GET", "POST"])
@action_required(MATCH, OFFER)
def offer_new(request: SignedInRequest) -> HttpResponse:
    form = OfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The offer is on the board."))
            return redirect("needs:offer", pk=offer.pk)
    return render(request, "needs/offer_form.html", {"form": form},
                  status=400 if form.errors else 200)


@action_required(POST, OFFER)
def offer_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    offer = get_object_or_404(offers_visible_to(user), pk=pk)
    return render(request, "needs/offer.html", {
        "offer": offer, "area_name": area_names([offer.area_code]).get(offer.area_code),
        "contact": shown(user, SensitiveField.PHONE, offer.donor_contact),
        "matches": matches_visible_to(user).filter(offer=offer)
        .order_by("-matched_at"),
        "close_form": ReasonForm() if offer.status != OfferStatus.CLOSED else None,
        "may_close": may_offer_for(user, offer.organization),
        "match_pages": can(user, POST)})


@require_POST
@action_required(MATCH, OFFER)
def offer_close_view(request: SignedInRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(offers_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the offer is closed."))
        offer_close(by=request.user, offer=offer, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The offer is closed."))
    return redirect("needs:offer", pk=offer.pk)


@action_required(POST)
def match_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(matches_visible_to(request.user), pk=pk)
    waiting = match.status == MatchStatus.ASSIGNED
    return render(request, "needs/match.html", {
        "match": match,
        "deliver_form": DeliverForm(initial={"quantity": match.quantity})
        if waiting and may_confirm_delivery(request.user, match) else None,
        "cancel_form": ReasonForm() if waiting and can(request.user, MATCH) else None})


@require_POST
@action_required(POST)
def match_deliver_view(request: SignedInRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(matches_visible_to(request.user), pk=pk)
    form = DeliverForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        match_deliver(by=request.user, match=match, quantity=form.cleaned_data["quantity"],
                      note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The delivery is confirmed."))
    return redirect("needs:match", pk=match.pk)


@require_POST
@action_required(MATCH)
def match_cancel_view(request: SignedInRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(matches_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the match is cancelled."))
        match_cancel(by=request.user, match=match, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The match is cancelled."))
    return redirect("needs:match", pk=match.pk)


@require_http_methods(["GET", "POST"])
@action_required(MATCH)
def donation_new(request: SignedInRequest) -> HttpResponse:
    form = DonationForm(request.POST or None, user=request.user,
                        initial={"donated_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            donation = donation_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("The donation is recorded."))
            return redirect("needs:donations", code=donation.code[:12])
    return render(request, "needs/donation_form.html", {"form": form},
                  status=400 if form.errors else 200)


def public_period(data: Any) -> Period:
    """The period asked (``start``, ``end``), within ``LONGEST_PERIOD``; by default the last
    year. A ValidationError for one upside down or too long."""
    form = PeriodForm(data)
    if not form.is_valid():
        raise ValidationError(form.errors.as_text())
    today = timezone.localdate()
    end = form.cleaned_data["end"] or today
    start = form.cleaned_data["start"] or max(end, datetime.date.min + DEFAULT_PERIOD) \
        - DEFAULT_PERIOD
    if start > end or end - start > LONGEST_PERIOD:
        raise ValidationError(_("Choose a period of at most three years, its start before "
                                "its end."))
    return Period(start=start, end=end)


def public_area(code: str) -> Division:
    """A district, street or community by its code, or 404."""
    try:
        level = level_of(code)
    except ValidationError:
        raise Http404 from None
    if level not in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        raise Http404
    return get_object_or_404(Division, code=code)


def donations_public(request: Any, code: str) -> HttpResponse:
    """What was given in an area over a period, in sums (no sign-in): per category, item and
    community, the number of donors, and the donors who agreed to be named."""
    area = public_area(code)
    try:
        period = public_period(request.GET)
    except ValidationError as error:
        return render(request, "needs/donations.html", {
            "area": area, "error": refusal_text(error), "form": PeriodForm(request.GET)},
            status=400)
    return render(request, "needs/donations.html", {
        "area": area, "period": period, "sums": donation_sums(area.code, period),
        "form": PeriodForm(initial={"start": period.start, "end": period.end})})


def post_as_need_offer(user: Any, event: Event) -> list[EventOffer]:
    """On an event's page (a resident's request, a care visit's "needs help", any event):
    post it as a need, or open the needs already posted from it."""
    if not can(user, POST) or not is_within(event.grid_code, user.scope_prefixes):
        return []
    posted = needs_visible_to(user).filter(event=event).exclude(
        status=NeedStatus.CLOSED).order_by("pk").first()
    if posted is not None:
        return [EventOffer(_("Open the need posted from it"),
                           reverse("needs:need", args=[posted.pk]))]
    return [EventOffer(_("Post as a need"), reverse("needs:new") + f"?event={event.pk}")]
