"""Abuse protection for the public channels: rate limits per client (django-ratelimit's
counters in the default cache) and a cap on the size of a request body."""

import functools
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django_ratelimit.core import is_ratelimited

# A random name for the phone that sent a report, so that one phone's limit does not fall on
# everyone behind the same router; it says nothing about who holds the phone.
CLIENT_COOKIE = "wg_reporter"
CLIENT_COOKIE_AGE = 365 * 24 * 3600
# Room for the form fields around the photos.
FORM_ALLOWANCE = 2**20


def client_id(request: HttpRequest) -> str:
    return request.COOKIES.get(CLIENT_COOKIE, "")[:64]


def remember_client(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a phone its random name the first time it opens the page."""
    if not client_id(request):
        response.set_cookie(CLIENT_COOKIE, secrets.token_urlsafe(18),
                            max_age=CLIENT_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure())
    return response


def over_limit(request: HttpRequest, group: str, *, rate: str, key: str | None = None) -> bool:
    """Count this request against ``key`` (by default its network address, an IPv6 /64) in
    ``group``; True once ``rate`` is exceeded."""
    return is_ratelimited(request, group=f"open311.{group}",
                          key="ip" if key is None else (lambda _group, _request: key),
                          rate=rate, increment=True)


def report_over_limit(request: HttpRequest) -> bool:
    """A report counts against its phone (the cookie) and its network address."""
    by_address = over_limit(request, "report-ip", rate=settings.WANGGE_PUBLIC_REPORT_IP_RATE)
    cookie = client_id(request)
    by_phone = bool(cookie) and over_limit(request, "report-client",
                                           rate=settings.WANGGE_PUBLIC_REPORT_RATE, key=cookie)
    return by_address or by_phone


def body_limit() -> int:
    """The largest body a public report may have: its photos and the fields around them."""
    return settings.WANGGE_PUBLIC_MAX_PHOTOS * settings.WANGGE_PHOTO_MAX_BYTES + FORM_ALLOWANCE


def limit_body(too_large: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Answer ``too_large(request)`` before a byte of an oversized body is read. Wrap the view
    in ``csrf_exempt`` outside and ``csrf_protect`` inside this, since the CSRF middleware
    would read (and spool to disk) the whole body to find its token first."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = body_limit() + 1
            if length > body_limit():
                return too_large(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
