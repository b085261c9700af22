"""The request a signed-in page receives, as the type checker should see it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class SignedInRequest(HttpRequest):
    """A request past ``login_required``: its user is a ``User``, never anonymous."""

    user: User
    htmx: HtmxDetails
