"""The residents' pages (no account): report a problem in a community, follow it by its ticket
number; and, for staff, the printable QR poster of a building that leads to the report page."""

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.access.decorators import action_required
from wangge.access.models import User
from wangge.events.models import Event
from wangge.events.services import event_rating_open
from wangge.foundation import limits
from wangge.foundation.codes import scope_prefix
from wangge.foundation.limits import remember_client
from wangge.foundation.permissions import Action, Role
from wangge.health.passes import place_token
from wangge.places.selectors import buildings_visible_to

from .forms import PublicRatingForm, PublicReportForm
from .limits import limit_body, over_limit, report_over_limit
from .selectors import (
    community_at,
    public_event,
    public_feedback,
    public_photos,
    public_rating,
    public_timeline,
    survivor_state,
    ticket_of,
)
from .services import public_rating_give, public_report_file


def _too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "open311/refused.html", {"message": limits.public_body_refusal()},
                  status=413)


@csrf_exempt  # csrf_protect below checks the token once the body is known to be small
@require_http_methods(["GET", "POST"])
@limit_body(_too_large)
@csrf_protect
def report(request: HttpRequest, code: str) -> HttpResponse:
    """The public report page of one community."""
    community = community_at(code)
    if community is None:
        raise Http404
    initial = {"building": request.GET.get("building", "")}
    form = PublicReportForm(request.POST or None, request.FILES or None, initial=initial,
                            community=community)
    status = 200
    if request.method == "POST":
        if report_over_limit(request):
            form.add_error(None, _("Too many reports from this phone or network just now. "
                                   "Please try again later, or call the community office."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                event = public_report_file(
                    prefix=scope_prefix(community.code), category=data["category"],
                    description=data["description"], building=data["building"],
                    longitude=data["longitude"], latitude=data["latitude"],
                    photos=data["photos"], contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"], resident=_resident(request))
            except ValidationError as error:
                for field, problems in error.update_error_dict({}).items():
                    # The position is a hidden field: its errors belong with "Where?".
                    shown = "building" if field == "longitude" else field
                    form.add_error(shown if shown in form.fields else None, problems)
            else:
                messages.success(request, _("Thank you. Your report is filed as %(number)s: "
                                            "keep this number to follow it.")
                                 % {"number": event.ticket})
                return redirect("open311:status", number=event.ticket)
    response = render(request, "open311/report.html",
                      {"community": community, "form": form}, status=status)
    return remember_client(request, response)


def _resident(request: HttpRequest) -> User | None:
    """The resident signed in on the page, whose home lists what they sent."""
    user = request.user
    return user if user.is_authenticated and getattr(user, "role", "") == Role.RESIDENT else None


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """The "follow my report" box: on to the status page of the number typed."""
    typed = request.GET.get("number", "")
    number = ticket_of(typed) or typed.strip().upper()
    return redirect("open311:status", number=number) if number else redirect("web:home")


def _looked_up(request: HttpRequest, number: str) -> Event | HttpResponse:
    """The public report with this ticket, or the page that says why not (too many
    look-ups, 429; no such ticket, 404)."""
    if over_limit(request, "lookup", rate=settings.WANGGE_PUBLIC_LOOKUP_RATE):
        return render(request, "open311/refused.html", {
            "message": _("Too many look-ups from this network just now. Please try again "
                         "later.")}, status=429)
    event = public_event(number)
    if event is None:
        return render(request, "open311/refused.html", {
            "message": _("No public report has the number %(number)s.") % {"number": number},
        }, status=404)
    return event


def _status_page(request: HttpRequest, event: Event, *, form: PublicRatingForm | None = None,
                 status: int = 200) -> HttpResponse:
    return render(request, "open311/status.html", {
        "event": event,
        "community": community_at(event.grid_code[:12]),
        "timeline": public_timeline(event),
        "survivor_state": survivor_state(event),
        "feedback": public_feedback(event),
        "photos": public_photos(event),
        "rating": public_rating(event),
        "rating_form": (form or PublicRatingForm()) if event_rating_open(event) else None,
    }, status=status)


@require_GET
def status(request: HttpRequest, number: str) -> HttpResponse:
    """State and timeline of a public report, with nothing that identifies anyone; the
    result reported back and its photos; once closed, the rating it asks for."""
    found = _looked_up(request, number)
    return found if isinstance(found, HttpResponse) else _status_page(request, found)


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """The resident's satisfaction with their closed report; counted against the phone and
    network like a report."""
    found = _looked_up(request, number)
    if isinstance(found, HttpResponse):
        return found
    form = PublicRatingForm(request.POST)
    if report_over_limit(request, kind="rating"):
        form.add_error(None, _("Too many ratings from this phone or network just now. "
                               "Please try again later."))
        return remember_client(request, _status_page(request, found, form=form, status=429))
    if not form.is_valid():
        return _status_page(request, found, form=form, status=422)
    try:
        rating = public_rating_give(event=found, satisfaction=form.cleaned_data["satisfaction"],
                                    comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _(
            "Thank you. We are sorry it was not solved: the report is open again, and the "
            "level above will see to it.") if rating.reopened else _("Thank you for your "
                                                                      "rating."))
    return remember_client(request, redirect("open311:status", number=found.ticket))


@require_GET
def photo(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """A photo of the result shown on the status page (never one sent with a report)."""
    found = _looked_up(request, number)
    if isinstance(found, HttpResponse):
        return found
    shown = next((p for p in public_photos(found) if p.pk == pk), None)
    if shown is None:
        raise Http404
    return FileResponse(shown.image.open("rb"), content_type=shown.content_type)


@action_required(Action.VIEW_PLACES)
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable poster for a building's entrance: a QR code that opens the report page of
    its community with the building already chosen."""
    building = get_object_or_404(buildings_visible_to(request.user), pk=pk)
    community = community_at(building.grid_code[:12])
    if community is None or not building.is_placed:
        raise Http404
    path = (reverse("open311:report", kwargs={"code": community.code})
            + "?" + urlencode({"building": building.pk}))
    url = _public_url(request, path)
    # The same poster leads residents to the building's daily health check-in.
    check_in = _public_url(request, reverse("health:start",
                                            args=[place_token(building=building.pk)]))
    return render(request, "open311/poster.html", {
        "building": building, "community": community, "url": url, "qr": _qr(url),
        "check_in_url": check_in, "check_in_qr": _qr(check_in)})


def _public_url(request: HttpRequest, path: str) -> str:
    return (settings.WANGGE_PUBLIC_BASE_URL + path if settings.WANGGE_PUBLIC_BASE_URL
            else request.build_absolute_uri(path))


def _qr(url: str) -> str:
    # segno writes the SVG from the URL alone, so it is safe to put in the page as it is.
    return mark_safe(segno.make(url, error="m").svg_inline(
        scale=10, border=2, omitsize=True))  # the page sizes it
