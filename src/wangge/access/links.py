"""The address of a one-time set-password link, as the pages and the API answer it."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def password_link_url(request: HttpRequest, account: User, token: str) -> str:
    """The full link (``access:password_choose``) for ``account`` with ``token`` (from
    ``services.password_link_token`` or ``user_password_reset``)."""
    path = reverse("access:password_choose",
                   args=[urlsafe_base64_encode(force_bytes(account.pk)), token])
    return request.build_absolute_uri(path)
