"""Open311 GeoReport v2 at /open311/v2/ (http://wiki.open311.org/GeoReport_v2): the event
categories are its services; requests are events reported by the public.

Reads need no key and show what the public page shows: no description, photos or contact,
a point only to about 100 m and an address only to its road or compound. A key (``wangge
open311-key create``) files requests within its jurisdiction and reads the requests there in
full. Sensitive categories (someone's health or circumstances) are served to no one here.
Requests are named by their random public ticket, never by the counting staff number.
"""

import datetime
import functools
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from wangge.events.models import (
    Category,
    Channel,
    Event,
    EventPhoto,
    EventTransition,
    Priority,
    State,
)
from wangge.foundation import limits
from wangge.foundation.codes import is_within, scope_prefix
from wangge.places.addresses import AddressBase, Refusal
from wangge.places.models import Building

from .formats import document, errors, w3_datetime
from .limits import over_limit
from .models import Open311Key
from .selectors import (
    coarse_address,
    coarse_point,
    jurisdiction_exists,
    not_sensitive,
    public_events,
    service_at,
    services,
    ticket_of,
)
from .services import OUTSIDE, open311_key_authenticate, public_report_file

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2025-01-01T00:00:00Z"  # when this server's Open311 behaviour last changed
MAX_REQUESTS = 1000  # the spec's "first 1000 requests"
MAX_SPAN = datetime.timedelta(days=90)
# Dates in other years are refused: far ones would overflow the span arithmetic.
YEARS = range(1901, 3000)
MEDIA_SALT = "open311.media"
MEDIA_MAX_AGE = datetime.timedelta(days=7)
# Errors of the events' fields, reported under the Open311 parameter that carried them.
PARAMETER = {"category": "service_code", "description": "description", "longitude": "lat/long",
             "building": "address_id", "photos": "media", "contact_phone": "phone",
             "contact_email": "email", "media_url": "media_url", "address": "address_string"}


class Open311Error(Exception):
    """An answer in the spec's error format: ``status`` and one description per problem."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = descriptions


def endpoint(*methods: str) -> Callable:
    """A GeoReport method: its HTTP methods, errors in its format, no CSRF (a key, not a
    session, authorises a write)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, fmt: str, **kwargs: object
                    ) -> HttpResponse:
            if request.method not in methods:
                response = errors(fmt, 405, _("Use %(methods)s here.")
                                  % {"methods": " or ".join(methods)})
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as refusal:
                return errors(fmt, refusal.status, *refusal.descriptions)

        return csrf_exempt(wrapped)

    return decorator


def _param(request: HttpRequest, name: str) -> str:
    # Clients send api_key and jurisdiction_id in the query string of a POST, too.
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


def _key(request: HttpRequest, *, required: bool = False) -> Open311Key | None:
    secret = _param(request, "api_key")
    if not secret and not required:
        return None
    key = open311_key_authenticate(secret, record_use=request.method == "POST")
    if key is None:
        raise Open311Error(403, _("Invalid api_key received -- can't proceed.") if secret
                           else _("An api_key is required to create a request."))
    return key


def _jurisdiction(request: HttpRequest, key: Open311Key | None) -> str:
    """The code prefix the call is limited to: its jurisdiction_id, within the key's."""
    code = _param(request, "jurisdiction_id")
    if not code:
        return key.scope_prefix if key else ""
    if not (code.isdigit() and len(code) in (12, 15) and jurisdiction_exists(code)):
        raise Open311Error(404, _("jurisdiction_id %(code)s was not found.") % {"code": code})
    if key is not None and not is_within(code, [key.scope_prefix]):
        raise Open311Error(403, _("This api_key may not act in jurisdiction %(code)s.")
                           % {"code": code})
    return scope_prefix(code)


def service_of(category: Category) -> dict:
    group = category.parent.name if category.parent else category.name
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("Handled within %(normal)s hours; urgent ones within %(urgent)s.")
        % {"normal": category.hours_normal, "urgent": category.hours_urgent},
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys([group, category.name])),
        "group": group,
    }


def definition_of(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [{
            "variable": True,
            "code": "priority",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": None,
            "order": 1,
            "description": _("How urgent is it? Staff may change it."),
            "values": [{"key": value, "name": str(label)} for value, label in Priority.choices],
        }],
    }


def _status_notes(event: Event, detailed: bool) -> str:
    label = str(event.get_state_display())
    if event.state == State.MERGED and event.duplicate_of is not None:
        survivor = event.duplicate_of
        if survivor.channel == Channel.PUBLIC and not survivor.category.is_sensitive:
            return _("Duplicate of %(number)s.") % {"number": survivor.ticket}
        return _("Duplicate of an earlier report.")
    if detailed:
        # The reason or result given when the event reached its state (prefetched).
        for step in reversed(event.transitions.all()):
            if step.target == event.state and step.source != step.target:
                return f"{label}: {step.comment}" if step.comment else label
    return label


def request_of(event: Event, request: HttpRequest, *, detailed: bool) -> dict:
    """An event as a GeoReport service request; ``detailed`` for a key's own jurisdiction."""
    building = event.building
    if building is not None and building.latitude is not None:
        lat, lon = building.latitude, building.longitude
    else:
        lat, lon = event.latitude, event.longitude
    if not detailed:  # about 100 m and the road: where, but not whose door
        lat, lon = coarse_point(lat), coarse_point(lon)
    closed = not event.is_open
    photos = list(event.photos.all()) if detailed else []
    return {
        "service_request_id": event.ticket,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(event, detailed),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description if detailed else None,
        "agency_responsible": event.organization.name if event.organization else None,
        "service_notice": None,
        "requested_datetime": w3_datetime(event.reported_at),
        "updated_datetime": w3_datetime(event.closed_at if closed and event.closed_at
                                        else getattr(event, "updated_at", None)
                                        or event.reported_at),
        "expected_datetime": None if closed else w3_datetime(event.deadline),
        "address": (event.address if detailed
                    else coarse_address(building.address) if building else "") or None,
        "address_id": str(building.pk) if building and detailed else None,
        "zipcode": None,
        "lat": lat,
        "long": lon,
        "media_url": _media_url(request, photos[0]) if photos else None,
    }


def _media_url(request: HttpRequest, photo: EventPhoto) -> str:
    token = signing.dumps(photo.pk, salt=MEDIA_SALT)
    return request.build_absolute_uri(reverse("open311:media", kwargs={"token": token}))


def _requests_answer(request: HttpRequest, events: "list[Event]", fmt: str, *,
                     detailed: bool) -> HttpResponse:
    return document(fmt, "service_requests",
                    [request_of(event, request, detailed=detailed) for event in events])


def _with_details(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.prefetch_related(
        "photos", Prefetch("transitions", queryset=EventTransition.objects.order_by("at", "id")))


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """The service discovery document every GeoReport server publishes."""
    return document(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": "",
        "key_service": _("Ask the district administration for a key."),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _jurisdiction(request, _key(request))
    return document(fmt, "services", [service_of(category) for category in services()])


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _jurisdiction(request, _key(request))
    category = service_at(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    return document(fmt, "service_definition", definition_of(category))


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    key = _key(request)
    events = public_events(_jurisdiction(request, key))
    numbers = [part for part in _param(request, "service_request_id").split(",") if part]
    if numbers:  # the spec: this overrides all other arguments
        events = events.filter(ticket__in=[t for t in map(ticket_of, numbers) if t])
    else:
        events = _filtered(request, events)
    events = events.order_by("-reported_at", "-id")
    if key is not None:
        events = _with_details(events)
    return _requests_answer(request, list(events[:MAX_REQUESTS]), fmt,
                            detailed=key is not None)


def _filtered(request: HttpRequest, events: QuerySet[Event]) -> QuerySet[Event]:
    codes = [code for code in _param(request, "service_code").split(",") if code]
    if codes:
        events = events.filter(category__code__in=codes)
    statuses = {status for status in _param(request, "status").split(",") if status}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, _("status may be open, closed, or both (open,closed)."))
    if statuses == {"open"}:
        events = events.open()
    elif statuses == {"closed"}:
        events = events.finished()
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    end = end or (start + MAX_SPAN if start else timezone.now())
    start = start or end - MAX_SPAN
    if end < start:
        raise Open311Error(400, _("end_date is before start_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return events.filter(reported_at__gte=start, reported_at__lte=end)


def _moment(request: HttpRequest, name: str) -> datetime.datetime | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, _("%(name)s must be a w3 date and time, such as "
                                  "2010-01-01T00:00:00Z.") % {"name": name})
    if moment.year not in YEARS:
        raise Open311Error(400, _("%(name)s must be in the years %(first)s to %(last)s.")
                           % {"name": name, "first": YEARS[0], "last": YEARS[-1]})
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@endpoint("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    key = _key(request)
    events = public_events(_jurisdiction(request, key)).filter(ticket=ticket_of(number) or "")
    if key is not None:
        events = _with_details(events)
    found = list(events)
    if not found:
        raise Open311Error(404, _("service_request_id %(number)s was not found.")
                           % {"number": number})
    return _requests_answer(request, found, fmt, detailed=key is not None)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limits.public_body_limit():
        raise Open311Error(413, _("The request is too large: send one photo of at most "
                                  "%(size)s MB.")
                           % {"size": settings.WANGGE_PHOTO_MAX_BYTES // 2**20})
    key = _key(request, required=True)
    if over_limit(request, "open311-key", rate=settings.WANGGE_OPEN311_RATE,
                  key=f"key:{key.pk}"):
        raise Open311Error(429, _("Too many requests from this api_key just now; try again "
                                  "later."))
    prefix = _jurisdiction(request, key)
    code = _param(request, "service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = service_at(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s was not found.") % {"code": code})
    priority = _param(request, "attribute[priority]") or Priority.NORMAL
    if priority not in Priority.values:
        raise Open311Error(400, _("attribute[priority] must be one of %(values)s.")
                           % {"values": ", ".join(Priority.values)})
    longitude, latitude, building = _location(request, prefix)
    try:
        event = public_report_file(
            prefix=prefix, client=key, category=category, priority=priority,
            description=_param(request, "description"), building=building,
            longitude=longitude, latitude=latitude,
            address=_param(request, "address_string")[:200],
            photos=request.FILES.getlist("media"),
            contact_name=" ".join(filter(None, [_param(request, "first_name"),
                                                _param(request, "last_name")]))[:100],
            contact_phone=_param(request, "phone"), contact_email=_param(request, "email"),
            device_id=_param(request, "device_id")[:100],
            account_id=_param(request, "account_id")[:100],
            media_url=_param(request, "media_url")[:500])
    except ValidationError as error:
        problems = error.update_error_dict({})
        outside = any(getattr(item, "code", None) == OUTSIDE
                      for items in problems.values() for item in items)
        raise Open311Error(403 if outside else 400, *(
            f"{PARAMETER.get(field, field)}: {message}"
            for field, items in problems.items() for message in ValidationError(items).messages
        )) from error
    notice = _("To be handled by %(deadline)s.") % {
        "deadline": timezone.localtime(event.deadline).strftime("%Y-%m-%d %H:%M")}
    return document(fmt, "service_requests", [{
        "service_request_id": event.ticket,
        "service_notice": notice,
        "account_id": _param(request, "account_id") or None,
    }])


def _location(request: HttpRequest, prefix: str
              ) -> tuple[float | None, float | None, Building | None]:
    """lat & long, or else the building named by address_id or address_string."""
    lat, lon = _param(request, "lat"), _param(request, "long")
    if lat or lon:
        try:
            return float(lon), float(lat), None
        except ValueError:
            raise Open311Error(400, _("lat and long must both be sent, as numbers.")) from None
    buildings = Building.objects.in_scope([prefix]).filter(grid_code__regex=r"^\d{15}$")
    if address_id := _param(request, "address_id"):
        building = buildings.filter(pk=address_id).first() if address_id.isdigit() else None
        if building is None:
            raise Open311Error(400, _("address_id %(id)s is not a building of this "
                                      "jurisdiction.") % {"id": address_id})
        return None, None, building
    if address := _param(request, "address_string"):
        # The address base every import uses: written any of the usual ways, and refused
        # rather than guessed when it names no single building.
        named = AddressBase([prefix]).building(address[:200])
        building = None if isinstance(named, Refusal) else buildings.filter(pk=named).first()
        if building is None:
            raise Open311Error(400, _("address_string does not name one building of this "
                                      "jurisdiction: send lat and long."))
        return None, None, building
    raise Open311Error(400, _("A location is required: lat and long, address_string or "
                              "address_id."))


def media(request: HttpRequest, token: str) -> FileResponse:
    """A photo of a request, through the signed link a keyed read handed out."""
    try:
        pk = signing.loads(token, salt=MEDIA_SALT, max_age=MEDIA_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    # A link handed out before the event was filed under a sensitive category no longer works.
    photo = EventPhoto.objects.filter(not_sensitive("event__category__"), pk=pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"), content_type=photo.content_type)


@csrf_exempt
def unknown(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's format, not an HTML page."""
    return errors("xml" if rest.endswith(".xml") else "json", 404,
                  _("There is no GeoReport v2 method at %(path)s.") % {"path": rest})
