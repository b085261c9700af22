"""Abuse protection for the public channels (the residents' report page and Open311, the
residents' health check-in): rate limits per client, counted by django-ratelimit in the shared
cache so that every process counts together, and a cap on the size of a request body.

A client is known by the address the deployment trusts (``foundation.client.client_ip``) and,
on a phone, by a random cookie."""

import functools
import ipaddress
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from wangge.foundation.client import client_ip

log = logging.getLogger(__name__)

# A random name for the phone that sent a report or a check-in, so that one phone's limit does
# not fall on everyone behind the same router; it says nothing about who holds the phone.
CLIENT_COOKIE = "wg_reporter"
CLIENT_COOKIE_AGE = 365 * 24 * 3600


def network_of(request: HttpRequest) -> str:
    """The client's address to count limits by; an IPv6 address as its /64 (one household or
    phone holds a whole /64)."""
    found = client_ip(request)
    if found is None:
        return request.META.get("REMOTE_ADDR", "")
    if found.version == 6:
        return str(ipaddress.ip_network(f"{found}/64", strict=False))
    return str(found)


def client_id(request: HttpRequest) -> str:
    return request.COOKIES.get(CLIENT_COOKIE, "")[:64]


def remember_client(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a phone its random name the first time it opens the page."""
    if not client_id(request):
        response.set_cookie(CLIENT_COOKIE, secrets.token_urlsafe(18),
                            max_age=CLIENT_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def over_limit(request: HttpRequest, group: str, *, rate: str,
               key: str | None = None) -> bool:
    """Count this request against ``key`` (by default its client address) in ``group``
    (``"open311.lookup"``, ``"health.identify"``); True
    once ``rate`` is exceeded. A cache that cannot be written (a busy SQLite database) lets
    the request through rather than failing it."""
    name = f"address:{network_of(request)}" if key is None else key
    try:
        return is_ratelimited(request, group=group,
                              key=lambda _group, _request: name, rate=rate, increment=True)
    except DatabaseError:
        log.warning("Rate limit %s not counted: the cache could not be written", group,
                    exc_info=True)
        return False


def client_over_limit(request: HttpRequest, group: str, *, rate: str,
                      network_rate: str) -> bool:
    """Count a request against its phone (the cookie) in ``<group>-client`` and its network
    address in ``<group>-ip``; a client without the cookie is counted as one phone per
    address, so dropping it gains nothing."""
    by_address = over_limit(request, f"{group}-ip", rate=network_rate)
    cookie = client_id(request)
    by_phone = over_limit(request, f"{group}-client", rate=rate,
                          key=f"phone:{cookie}" if cookie else f"cookieless:{network_of(request)}")
    return by_address or by_phone


# Room for the form fields around the photos.
FORM_ALLOWANCE = 2**20


def public_body_limit() -> int:
    """The largest body a resident's report or request may have: its photos (at most
    ``WANGGE_PUBLIC_MAX_PHOTOS``) and the fields around them."""
    return settings.WANGGE_PUBLIC_MAX_PHOTOS * settings.WANGGE_PHOTO_MAX_BYTES + FORM_ALLOWANCE


def public_body_refusal() -> str:
    """What a person is told when their report or request is over ``public_body_limit``."""
    return _("This is too much to send at once: send fewer or smaller photos (at most "
             "%(count)s, together under %(size)s MB).") % {
        "count": settings.WANGGE_PUBLIC_MAX_PHOTOS, "size": public_body_limit() // 2**20}


def limit_body(limit: Callable[[], int],
               too_large: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Answer ``too_large(request)`` before a byte of a body over ``limit()`` bytes is read.
    Wrap the view in ``csrf_exempt`` outside and ``csrf_protect`` inside this, since the CSRF
    middleware would read (and spool to disk) the whole body to find its token first."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = limit() + 1
            if length > limit():
                return too_large(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
