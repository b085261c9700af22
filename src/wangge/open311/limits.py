"""The limits of the residents' report page and Open311 (the counting itself is
``foundation.limits``)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from wangge.foundation import limits


def over_limit(request: HttpRequest, group: str, *, rate: str, key: str | None = None) -> bool:
    """``foundation.limits.over_limit`` in the group ``open311.<group>``."""
    return limits.over_limit(request, f"open311.{group}", rate=rate, key=key)


def report_over_limit(request: HttpRequest, *, kind: str = "report") -> bool:
    """A report (or a rating, ``kind``, counted apart at the same rates) counts against its
    phone and its network address."""
    return limits.client_over_limit(request, f"open311.{kind}",
                                    rate=settings.WANGGE_PUBLIC_REPORT_RATE,
                                    network_rate=settings.WANGGE_PUBLIC_REPORT_IP_RATE)


def limit_body(too_large: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """``foundation.limits.limit_body`` at the size of a public report."""
    return limits.limit_body(limits.public_body_limit, too_large)
