"""Page decorators built on the one permissions module."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase

from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

View = Callable[..., HttpResponseBase]


def action_required(action: Action, *or_actions: Action) -> Callable[[View], View]:
    """Sign-in first, then 403 for a role that may take neither ``action`` nor any of
    ``or_actions``: a page about a kind of record the role never sees answers as the API
    does, before any record is looked up (which would be 404 for everyone)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def checked(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(can(request.user, each) for each in (action, *or_actions)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator
