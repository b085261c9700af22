"""Page decorators built on the one permissions module."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest


def action_required(action: Action) -> Callable[[Callable[..., HttpResponse]],
                                                 Callable[..., HttpResponse]]:
    """Sign-in first, then 403 for a role that may not take ``action``: a page about a kind of
    record the role never sees answers as the API does, before any record is looked up (which
    would be 404 for everyone)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: SignedInRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, action):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(checked)

    return decorator
