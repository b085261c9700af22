"""What every API router shares: the caller, scoped reads, the page shape and the code filter.

Views stay thin: they read through an app's ``*_visible_to`` selector (so a record outside the
caller's jurisdiction is a 404, exactly like a missing one) and write through its services.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Header, Schema
from ninja.pagination import PaginationBase

from wangge.foundation.codes import scope_prefix
from wangge.foundation.permissions import Action, require

if TYPE_CHECKING:  # annotations only: the foundation imports no app
    from wangge.access.models import User

Selector = Callable[["User"], QuerySet]

# The largest id a record can have (a 64-bit column): a larger one in a path or a body is a
# 422, not a database error.
MAX_ID = 2**63 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def caller(request: HttpRequest) -> "User":
    """The authenticated user, by token or session. Views never read ``request.user``: with a
    token it is not the token's user."""
    return request.auth


PURPOSE_DESCRIPTION = (
    "Why the caller reads this personal data (kept in the access log with who, when and from "
    "where). Without it the full ID number and birth date are answered masked (only the "
    "birth year), even for a role that may see them; with it they are shown as the role "
    "may see them, and the read is logged before the answer is sent (503 when it cannot "
    "be). Percent-encode non-ASCII text (UTF-8), e.g. %E6%A0%B8%E5%AE%9E.")


# What an error status means on any operation that answers it; the body is always an
# ``Error`` (see wangge.api).
ERROR_MEANINGS: dict[int, Promise] = {
    400: gettext_lazy("The body could not be read (not JSON, or not a form)."),
    401: gettext_lazy("Not logged in, and no valid API token."),
    403: gettext_lazy("The role may not do this (or a session's CSRF check failed)."),
    404: gettext_lazy("No such record, or it is outside your jurisdiction."),
    409: gettext_lazy("Other records still refer to this one; the message names them."),
    422: gettext_lazy("A parameter or field is invalid; errors names each."),
    503: gettext_lazy("The access log cannot record this read just now, so nothing is "
                      "answered; try again later."),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"


def error_answer(status: int, description: str | Promise | None = None) -> dict[str, Any]:
    """The OpenAPI answer of an error ``status``: an ``Error`` body."""
    return {"description": description or ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def also_answers(*statuses: int, meaning: dict[int, str | Promise] | None = None,
                 files: tuple[str, ...] = ()) -> dict[str, Any]:
    """An operation's ``openapi_extra``: the errors it answers beyond those every operation
    may (wangge.api adds 400, 401, 403, 404 and 422 where they apply), each with its
    ``meaning`` where it differs from ``ERROR_MEANINGS``, and, for a download, the media
    types of its file."""
    meaning = meaning or {}
    responses: dict[int, Any] = {status: error_answer(status, meaning.get(status))
                                 for status in statuses}
    if files:
        responses[200] = {"description": gettext_lazy("The file, as an attachment."),
                          "content": {media_type: {"schema": {"type": "string",
                                                              "format": "binary"}}
                                      for media_type in files}}
    return {"responses": responses}


# A delete is refused while other records refer to the record (history.delete_unless_used).
IN_USE_ANSWERS = also_answers(409)
# Reading with a purpose is logged before the answer is sent, and not answered unlogged.
PURPOSE_ANSWERS = also_answers(503)


def purpose_header(description: str = PURPOSE_DESCRIPTION, *, required: bool = False) -> Any:
    """The ``X-Purpose`` header of an operation, as documented in the OpenAPI schema
    (``required``: the operation answers nothing without it, a 422)."""
    if required:
        return Header(alias="X-Purpose", min_length=1, max_length=600, description=description)
    return Header("", alias="X-Purpose", max_length=600, description=description)


def stated_purpose(request: HttpRequest) -> str:
    """The ``X-Purpose`` header, percent-decoded and trimmed ("" when absent)."""
    return " ".join(unquote(request.headers.get("X-Purpose", "")).split())[:300]


def purpose_revealed(request: HttpRequest) -> bool:
    """Whether this answer may show the purpose fields (see ``person_read_logged``)."""
    return getattr(request, "purpose_revealed", False)


def visible(request: HttpRequest, selector: Selector, action: Action | None) -> QuerySet:
    """The records the caller may see. A role without ``action`` is refused (403), so an empty
    list always means "none in your jurisdiction"."""
    user = caller(request)
    if action is not None:
        require(user, action)
    return selector(user)


def visible_one(request: HttpRequest, selector: Selector, action: Action | None,
                **lookup: Any) -> Any:
    """One visible record, or 404 whether it is missing or outside the jurisdiction."""
    return get_object_or_404(visible(request, selector, action), **lookup)


def acting(request: HttpRequest, action: Action, *or_actions: Action) -> "User":
    """The caller, refused (403) up front when their role may take neither ``action`` nor
    any of ``or_actions``: before the ids in the body are looked up, so the answer does not
    depend on them."""
    user = caller(request)
    require(user, action, *or_actions)
    return user


def referenced(request: HttpRequest, selector: Selector, action: Action, *, field: str,
               pk: int | None) -> Any:
    """The visible record a request body refers to by id (None stays None); an unknown or
    out-of-scope id is a 422 naming ``field``, with the same words either way."""
    if pk is None:
        return None
    record = visible(request, selector, action).filter(pk=pk).first()
    if record is None:
        raise ValidationError({field: _("There is no record with id %(id)s in your "
                                        "jurisdiction.") % {"id": pk}})
    return record


def changes(payload: Schema, model: type[Model], *leave_out: str) -> dict[str, Any]:
    """The fields a body sets, without ``reason`` and ``leave_out``; absent fields are left
    alone. A field sent as null is cleared: to null where ``model``'s column allows it, to its
    empty value where it may be blank; null for a required field is a 422 naming it. A null
    input that is no column (``division_code``) is the same as leaving it out."""
    sent = payload.model_dump(exclude_unset=True, exclude={"reason", *leave_out})
    errors: dict[str, list[str]] = {}
    for name, value in list(sent.items()):
        if value is not None:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            del sent[name]
            continue
        if not field.null:
            if field.blank:
                sent[name] = field.get_default()
            else:
                errors[name] = [_("This field cannot be null.")]
    if errors:
        raise ValidationError(errors)
    return sent


class CodeFilter(Schema):
    """``?code=``: a grid or division code (or any leading digits of one); a prefix outside the
    caller's jurisdiction yields nothing, since it narrows an already scoped queryset."""

    code: str = Field("", pattern=r"^\d{0,15}$",
                      description="Grid or division code, or a prefix of one")

    def narrow(self, queryset: QuerySet) -> QuerySet:
        if not self.code:
            return queryset
        # A full code means its jurisdiction: 420102001000 (a street) covers 420102001…
        prefix = scope_prefix(self.code) if len(self.code) in (12, 15) else self.code
        return queryset.in_scope([prefix])


# The highest ``?page=`` accepted (above it is a 422): a billion pages is more records than any
# jurisdiction holds, and keeps the offset within a 64-bit integer for every page size.
MAX_PAGE = 10**9


class Pages(PaginationBase):
    """``?page=`` (from 1) of settings.WANGGE_PAGE_SIZE records: ``{"items", "count"}``; a page
    past the last is empty."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)

    class Output(Schema):
        items: list[Any]
        count: int

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        size = settings.WANGGE_PAGE_SIZE
        count = queryset.count()
        start = (pagination.page - 1) * size
        # Past the end nothing is asked of the database: an offset beyond a 64-bit integer
        # is an error there, not an empty page.
        items = queryset[start:start + size] if start < count else queryset.none()
        return {"items": items, "count": count}


class Reason(Schema):
    """Why a record is changed; kept in its history."""

    reason: str = Field("", max_length=200)


class DeleteReason(Schema):
    """Why a record is deleted: required, and kept in its last history row."""

    reason: str = Field(min_length=1, max_length=200)


FEATURE_COLLECTION = {
    "type": "object",
    "properties": {"type": {"const": "FeatureCollection"},
                   "features": {"type": "array", "items": {"type": "object"}}},
    "required": ["type", "features"],
}
# The ``openapi_extra`` of a route that answers ``feature_collection``.
GEOJSON_ANSWER = {"responses": {200: {
    "description": "GeoJSON (RFC 7946)",
    "content": {"application/geo+json": {"schema": FEATURE_COLLECTION}}}}}


def feature_collection(features: list[dict[str, Any]]) -> JsonResponse:
    """A GeoJSON FeatureCollection with its registered media type (RFC 7946)."""
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        content_type="application/geo+json")
