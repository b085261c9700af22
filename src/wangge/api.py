"""The one API, under /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json, docs at
/api/v1/docs served from local static files).

Callers authenticate with ``Authorization: Bearer <token>`` (``wangge token create USERNAME``)
or the Django session (unsafe methods then need the CSRF token). Every error is JSON with a
``message`` in the request's language; validation errors add ``errors``: field → messages.
"""

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from wangge.access.api import router as accounts_router
from wangge.access.models import User
from wangge.access.services import token_user
from wangge.alerts.api import router as alerts_router
from wangge.auditlog.api import router as auditlog_router
from wangge.auditlog.services import AccessLogUnavailableError
from wangge.care.api import router as care_router
from wangge.cockpit.api import router as cockpit_router
from wangge.conventions.api import router as conventions_router
from wangge.divisions.api import router as divisions_router
from wangge.emergency.api import router as emergency_router
from wangge.epidemic.api import router as epidemic_router
from wangge.events.api import router as events_router
from wangge.foundation.api_support import ERROR_MEANINGS, error_answer
from wangge.foundation.history import RecordInUseError
from wangge.health.api import router as health_router
from wangge.imports.api import router as imports_router
from wangge.linkage.api import router as linkage_router
from wangge.measures.api import router as measures_router
from wangge.needs.api import router as needs_router
from wangge.notices.api import router as notices_router
from wangge.notifications.api import router as notifications_router
from wangge.organizations.api import router as organizations_router
from wangge.patrols.api import router as patrols_router
from wangge.people.api import router as people_router
from wangge.places.api import router as places_router
from wangge.populations.api import router as populations_router
from wangge.reports.api import router as reports_router
from wangge.residents.api import router as residents_router
from wangge.resources.api import router as resources_router
from wangge.risk.api import router as risk_router
from wangge.risk.map_api import router as risk_map_router
from wangge.volunteers.api import router as volunteers_router

# Requests that never write, not even a token's last use (see access.services.token_user).
READS = ("GET", "HEAD", "OPTIONS")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_user(token, record_use=request.method not in READS)


class Session(SessionAuth):
    """The logged-in session; a failed CSRF check is a 403 like any other refusal."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except HttpError as error:
            raise PermissionDenied(_("CSRF verification failed. Request aborted.")) from error


class NulFreeParser(Parser):
    """JSON bodies, forms and query strings, refused (422, as Django's forms do) when a text
    holds a NUL character: PostgreSQL can neither store nor compare one."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return _without_nul(super().parse_body(request))

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str],
                        request: HttpRequest) -> dict[str, Any]:
        return _without_nul(super().parse_querydict(data, list_fields, request))


def _without_nul(data: Any) -> Any:
    def texts(value: Any, field: str) -> Iterator[tuple[str, str]]:
        if isinstance(value, str):
            yield field, value
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from texts(item, f"{field}.{key}" if field else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from texts(item, f"{field}.{index}")

    refused = {field or NON_FIELD_ERRORS: [ProhibitNullCharactersValidator.message]
               for field, text in texts(data, "") if "\x00" in text}
    if refused:
        raise DjangoValidationError(refused)
    return data


class Api(NinjaAPI):
    """The API whose routes answer a method they do not take like every other error: JSON
    with a ``message`` (405, with the Allow header), not Django's plain-text page; a NUL in a
    path is no record (404)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_every_answer(schema)

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_not_allowed(pattern.callback)
        return patterns, app_name, namespace


def _json_not_allowed(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)  # keeps csrf_exempt: the API checks CSRF itself, for sessions
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if any("\x00" in str(value) for value in kwargs.values()):
            return not_found(request, Http404())
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        refused = _error(request, 405, _("%(method)s is not allowed here; use %(allowed)s.")
                         % {"method": request.method, "allowed": allowed})
        refused["Allow"] = allowed
        return refused

    return wrapped


ERROR = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object",
                   "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["message"],
}


def with_every_answer(schema: Any) -> Any:
    """The OpenAPI document as the API really answers: django-ninja lists each route's own
    answers (its successes, and what it declares with ``api_support.also_answers``), while
    every route may also answer the errors every request can meet here: 401 and 403; 404
    for a record named in the path; 422 for an invalid parameter or field; 400 for a body
    that cannot be read. (Statuses are ints here; django-ninja writes them out as JSON
    keys.)"""
    schema["components"]["schemas"]["Error"] = ERROR
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            # A route open to anyone (a public CAP document) is never refused a caller.
            statuses = [401, 403] if operation.get("security") else []
            if "{" in path:
                statuses.append(404)
            if operation.get("parameters") or "requestBody" in operation:
                statuses.append(422)
            if "requestBody" in operation:
                statuses.append(400)
            for status in statuses:
                operation["responses"].setdefault(status, error_answer(status))
    return schema


api = Api(
    title="wangge",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), Session()],
    # No validator badge: it would call validator.swagger.io from an offline intranet.
    docs=Swagger(settings={"validatorUrl": None}),
    parser=NulFreeParser(),
)
api.add_router("/", divisions_router)
api.add_router("/", places_router)
api.add_router("/", people_router)
api.add_router("/", populations_router)
api.add_router("/", organizations_router)
api.add_router("/", events_router)
api.add_router("/", notifications_router)
api.add_router("/", patrols_router)
api.add_router("/", health_router)
api.add_router("/", epidemic_router)
api.add_router("/", measures_router)
api.add_router("/", emergency_router)
api.add_router("/", alerts_router)
api.add_router("/", care_router)
api.add_router("/", notices_router)
api.add_router("/", volunteers_router)
api.add_router("/", needs_router)
api.add_router("/", residents_router)
api.add_router("/", conventions_router)
api.add_router("/", resources_router)
api.add_router("/", imports_router)
api.add_router("/", reports_router)
api.add_router("/", linkage_router)
api.add_router("/", auditlog_router)
api.add_router("/", accounts_router)
api.add_router("/", cockpit_router)
api.add_router("/", risk_router)
api.add_router("/", risk_map_router)


def _error(request: HttpRequest, status: int, message: str,
           errors: dict[str, list[str]] | None = None) -> HttpResponse:
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def _invalid(request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    """422 with every message; the summary names each field so it reads on its own."""
    summary = "; ".join(
        message if field == NON_FIELD_ERRORS else f"{field}: {message}"
        for field, messages in errors.items() for message in messages
    )
    return _error(request, 422, summary, errors)


@api.exception_handler(DjangoValidationError)
def validation_failed(request: HttpRequest, error: DjangoValidationError) -> HttpResponse:
    if hasattr(error, "error_dict"):
        return _invalid(request, error.message_dict)
    return _invalid(request, {NON_FIELD_ERRORS: error.messages})


# Pydantic's messages are English only; the common ones are replaced by Django's own
# (translated) wording.
_REQUEST_ERROR_MESSAGES = {
    "missing": "This field is required.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "float_type": "Enter a number.",
    "date_parsing": "Enter a valid date.",
    "date_from_datetime_parsing": "Enter a valid date.",
    "string_pattern_mismatch": "Enter a valid value.",
    "enum": "Select a valid choice. That choice is not one of the available choices.",
    # Only required text has a minimum length (a DELETE's reason, an export's X-Purpose).
    "string_too_short": "This field is required.",
    # A bound (an id's, a page's): the limit is the problem's only context value.
    "less_than_equal": "Ensure this value is less than or equal to %(limit_value)s.",
    "greater_than_equal": "Ensure this value is greater than or equal to %(limit_value)s.",
}


@api.exception_handler(RequestValidationError)
def request_invalid(request: HttpRequest, error: RequestValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for problem in error.errors:
        # loc is ("body", <parameter>, field, ...) or ("query", field); keep the field path.
        location = list(problem["loc"])[2 if problem["loc"][0] == "body" else 1:]
        field = ".".join(str(part) for part in location) or NON_FIELD_ERRORS
        wording = _REQUEST_ERROR_MESSAGES.get(problem["type"])
        limit = next(iter(problem.get("ctx", {}).values()), None)
        errors.setdefault(field, []).append(
            _(wording) % {"limit_value": limit} if wording else problem["msg"])
    return _invalid(request, errors)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def unreadable_body(request: HttpRequest, error: Exception) -> HttpResponse:
    # Django would answer these with its HTML error page.
    return _error(request, 400, str(ERROR_MEANINGS[400]))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Log in, or send an API token: Authorization: Bearer "
                                  "<token>."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(error) or _("Your role may not do this."))


@api.exception_handler(AccessLogUnavailableError)
def log_unavailable(request: HttpRequest, error: AccessLogUnavailableError) -> HttpResponse:
    # Fail closed: what may not be read unrecorded is not answered.
    return _error(request, 503, str(error.message))


@api.exception_handler(RecordInUseError)
def in_use(request: HttpRequest, error: RecordInUseError) -> HttpResponse:
    return _error(request, 409, str(error))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, error: Exception) -> HttpResponse:
    # One wording for missing and out-of-jurisdiction records: the answer reveals nothing.
    return _error(request, 404, _("No such record, or it is outside your jurisdiction."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    if isinstance(error.__cause__, DjangoValidationError):
        # django-ninja answers any error of the body's parser with its own 400: a body
        # NulFreeParser refused is a 422 naming the field, like the query string's.
        return validation_failed(request, error.__cause__)
    return _error(request, error.status_code, error.message)
