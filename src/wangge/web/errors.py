"""The error pages: 400, 403, 404 and 500 in the site's layout and language, each with a way
back; under /api/ the same errors are JSON with a ``message``, like every other API answer.

Django calls these (``handler400`` … ``handler500`` in ``wangge.urls``) when a view raises, or
when no URL matches. The 500 page must render when nothing else works, the database
included: it gets no context processors (no user, no session, no query), extends no layout
that would ask for them, and falls back to plain HTML if even its template fails.
"""

import logging

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext

logger = logging.getLogger(__name__)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, message: str) -> JsonResponse:
    return JsonResponse({"message": message}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _back(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours (never an outside address, and
    never the page that failed itself): the error page's "back" link, without a script."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # a bad Host header is the very error of a 400: no way back then
        return ""
    if not referer or not url_has_allowed_host_and_scheme(
            referer, allowed_hosts={host}, require_https=request.is_secure()):
        return ""
    return "" if referer.endswith(request.get_full_path()) else referer


def _page(request: HttpRequest, status: int, message: str) -> HttpResponse:
    return render(request, f"{status}.html", {"back": _back(request), "message": message},
                  status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = gettext("The request could not be understood.")
    if _is_api(request):
        return _json(400, message)
    return _page(request, 400, message)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A service's refusal says why ("Your own account is managed by another administrator.");
    # a bare PermissionDenied says nothing, and the page says it in general terms.
    message = str(exception or "") or gettext("Your role may not do this.")
    if _is_api(request):
        return _json(403, message)
    return _page(request, 403, message)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # One wording for a page that does not exist and a record outside the jurisdiction: the
    # answer must not tell them apart (as the API's does not).
    if _is_api(request):
        return _json(404, gettext("No such record, or it is outside your jurisdiction."))
    return _page(request, 404, "")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing CSRF token (a page left open past a sign-out):
    the 403 page, saying to reload, instead of Django's technical page."""
    message = gettext("This form has expired. Go back, reload the page and send it again.")
    if _is_api(request):
        return _json(403, message)
    return _page(request, 403, message)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 answer: no database, no session, no user; only the request's language (set
    by LocaleMiddleware before the view ran) and the URL map."""
    message = gettext("Something went wrong on our side. It has been recorded; please try "
                      "again in a moment.")
    if _is_api(request):
        return _json(500, message)
    try:
        home = reverse("web:home")
    except NoReverseMatch:
        home = "/"
    context = {"home": home, "back": _back(request), "message": message,
               "language": get_language() or settings.LANGUAGE_CODE,
               "static_url": settings.STATIC_URL}
    try:
        return HttpResponseServerError(loader.get_template("500.html").render(context))
    except Exception:  # the template itself failed: plain words, still in the language
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(
            f'<!doctype html><html lang="{escape(context["language"])}"><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>500</title><p>{escape(message)}</p>"
            f'<p><a href="{escape(home)}">{escape(gettext("Home"))}</a></p></html>')
