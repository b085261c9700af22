"""Sign-in rules applied to every request: the idle timeout and the second factor."""

import time
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.foundation.permissions import needs_two_factor

LAST_ACTIVITY = "wangge_last_activity"
# The session is written at most once a minute (SQLite has one writer; a read must not write
# each time), so a session ends between WANGGE_IDLE_MINUTES and one minute more after the last
# request.
ACTIVITY_RESOLUTION_S = 60


def idle_timeout(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Sign out a session idle for more than ``WANGGE_IDLE_MINUTES`` (0: never)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        limit = settings.WANGGE_IDLE_MINUTES * 60
        if limit and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > limit:
                logout(request)
                messages.info(request, _("You were signed out after %(minutes)d minutes "
                                         "without activity.")
                              % {"minutes": settings.WANGGE_IDLE_MINUTES})
            elif last is None or now - last >= ACTIVITY_RESOLUTION_S:
                request.session[LAST_ACTIVITY] = now
        return get_response(request)

    return middleware


# Pages a signed-in user may open before the second factor: signing it, signing out, the
# language switch, and the residents' public pages (open to anyone).
_BEFORE_SECOND_FACTOR = {"web:login", "web:logout", "access:two_factor", "set_language",
                         "admin:logout", "access:password_choose"}
_PUBLIC_NAMESPACES = {"open311"}


class TwoFactorMiddleware:
    """A role that needs a second factor (``permissions.needs_two_factor``) is sent to the
    verification (or enrolment) step until its session is verified (django-otp)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: object,
                     kwargs: object) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified() or not needs_two_factor(user):
            return None
        match = request.resolver_match
        if match is None or match.view_name in _BEFORE_SECOND_FACTOR or (
                set(match.namespaces) & _PUBLIC_NAMESPACES):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"message": _("Sign in with your second factor first.")},
                                status=401)
        return redirect(f"{reverse('access:two_factor')}?next={quote(request.get_full_path())}")
