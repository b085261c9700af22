"""The limits of the residents' report page and Open311 (the counting itself is
``foundation.limits``)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from wangge.foundation import limits
from wangge.foundation.limits import client_id, network_of

# Room for the form fields around the photos.
FORM_ALLOWANCE = 2**20


def over_limit(request: HttpRequest, group: str, *, rate: str, key: str | None = None) -> bool:
    """``foundation.limits.over_limit`` in the group ``open311.<group>``."""
    return limits.over_limit(request, f"open311.{group}", rate=rate, key=key)


def report_over_limit(request: HttpRequest) -> bool:
    """A report counts against its phone (the cookie) and its network address; a client
    without the cookie is counted as one phone per address, so dropping it gains nothing."""
    by_address = over_limit(request, "report-ip", rate=settings.WANGGE_PUBLIC_REPORT_IP_RATE)
    cookie = client_id(request)
    by_phone = over_limit(request, "report-client", rate=settings.WANGGE_PUBLIC_REPORT_RATE,
                          key=f"phone:{cookie}" if cookie
                          else f"cookieless:{network_of(request)}")
    return by_address or by_phone


def body_limit() -> int:
    """The largest body a public report may have: its photos and the fields around them."""
    return settings.WANGGE_PUBLIC_MAX_PHOTOS * settings.WANGGE_PHOTO_MAX_BYTES + FORM_ALLOWANCE


def limit_body(too_large: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """``foundation.limits.limit_body`` at the size of a public report."""
    return limits.limit_body(body_limit, too_large)
