"""The residents' check-in (``POST /checkin/answers/``) through a shorter middleware chain.

A morning's burst is thousands of these a second, and Django's whole chain cost a check-in
about as much as the check-in itself. A resident's phone has no account and no session: for
such a request (no session cookie) several middleware of the site have nothing to do, so
``check_ins_routed`` hands it to a second Django handler whose chain is the site's
(settings.MIDDLEWARE, in its order, so whatever is added there applies here too) less those:

- WhiteNoise: answers static files, and this address is not one;
- django-otp, the idle timeout, the second factor, django-axes: they act on a signed-in user
  (or a sign-in), and without a session the user is anonymous;
- messages: staff pages' notes for the next page; the check-in adds none, and a note left
  waiting in a cookie stays there for the next page;
- django-htmx, simple-history's request: read by pages and by history records, and the
  check-in reads neither (its writer thread never saw the request anyway).

What stays is everything that protects or shapes the answer: the security headers and the
HTTPS redirect, the session and the anonymous user (for the templates of a refused answer),
the language, the CSRF check, X-Frame-Options, the Content Security Policy (built
once, ``StaticPolicyCSPMiddleware``), no-store, and the unknown-data-key page. Any other
request, and this one with a session cookie (a signed-in staff member on their phone), goes
through the whole chain as before.
"""

from collections.abc import Callable, Iterable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

ANSWERS_PATH = "/checkin/answers/"

# Middleware with nothing to do for a request without a session to the check-in's address
# (the module's docstring says why for each).
SKIPPED = frozenset({
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wangge.access.middleware.idle_timeout",
    "wangge.access.middleware.TwoFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
})
REPLACED = {"csp.middleware.CSPMiddleware": "wangge.health.lean.StaticPolicyCSPMiddleware"}


def lean_middleware(full: Iterable[str]) -> list[str]:
    """The check-in's chain: the site's, in its order, less SKIPPED."""
    return [REPLACED.get(path, path) for path in full if path not in SKIPPED]


class CheckInHandler(WSGIHandler):
    """A Django handler with the shorter chain (synchronous, as under the WSGI server)."""

    def load_middleware(self, is_async: bool = False) -> None:
        assert not is_async
        self._view_middleware: list[Callable] = []
        self._template_response_middleware: list[Callable] = []
        self._exception_middleware: list[Callable] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(lean_middleware(settings.MIDDLEWARE)):
            try:
                middleware = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(middleware, "process_view"):
                self._view_middleware.insert(0, middleware.process_view)
            if hasattr(middleware, "process_template_response"):
                self._template_response_middleware.append(
                    middleware.process_template_response)
            if hasattr(middleware, "process_exception"):
                self._exception_middleware.append(middleware.process_exception)
            handler = convert_exception_to_response(middleware)
        self._middleware_chain = handler


def check_ins_routed(application: Callable) -> Callable:
    """``application`` (the site's WSGI handler), with residents' check-ins sent through the
    shorter chain."""
    lean = CheckInHandler()
    session_cookie = settings.SESSION_COOKIE_NAME

    def routed(environ: dict[str, Any], start_response: Callable) -> Any:
        if (environ.get("PATH_INFO") == ANSWERS_PATH
                and environ.get("REQUEST_METHOD") == "POST"
                # Any cookie whose text holds the session cookie's name takes the whole
                # chain: a false alarm only costs time.
                and session_cookie not in environ.get("HTTP_COOKIE", "")):
            return lean(environ, start_response)
        return application(environ, start_response)

    return routed


# The overrides a view may set on its response (csp.decorators); with any of them, or a
# nonce, the policy is built for that response as django-csp does.
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace",
                 "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_POLICIES: dict[bool, str] = {}


@receiver(setting_changed)
def _policies_forgotten(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _POLICIES.clear()


def _policy(report_only: bool) -> str:
    if report_only not in _POLICIES:
        _POLICIES[report_only] = build_policy(report_only=report_only)
    return _POLICIES[report_only]


class StaticPolicyCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once rather than for every
    answer: the same headers, where no nonce was asked for and the view set no policy of its
    own (then django-csp builds it, as everywhere else)."""

    def process_response(self, request: HttpRequest,
                         response: HttpResponseBase) -> HttpResponseBase:
        if (settings.DEBUG or getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) is not None for name in _PER_RESPONSE)):
            return super().process_response(request, response)
        for header, report_only, exempt, setting in (
                (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
                (HEADER_REPORT_ONLY, True, "_csp_exempt_ro",
                 "CONTENT_SECURITY_POLICY_REPORT_ONLY")):
            policy = _policy(report_only)
            if not policy or header in response or getattr(response, exempt, False):
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if not request.path_info.startswith(tuple(prefixes or ())):
                response[header] = policy
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
