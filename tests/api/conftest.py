"""Calling the API as a given user, through the session or a bearer token."""

import pytest
from django.test import Client

from tests.api.helpers import ApiClient
from wangge.access.models import User
from wangge.access.services import token_create


@pytest.fixture
def api_as(client):
    """``api_as(user)``: an ApiClient logged in as ``user`` (session); ``token=True`` sends a
    bearer token instead, from a client with no session."""

    def login(user: User, *, token: bool = False) -> ApiClient:
        if token:
            return ApiClient(Client(), {"Authorization": f"Bearer {token_create(user=user)}"})
        client.force_login(user)
        return ApiClient(client)

    return login

