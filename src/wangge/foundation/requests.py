"""The request a signed-in page receives, as the type checker should see it."""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:  # annotations only: the foundation imports no app
    from wangge.access.models import User



class SignedInRequest(HttpRequest):
    """A request past ``login_required``: its user is a ``User``, never anonymous."""

    user: "User"
    htmx: HtmxDetails
