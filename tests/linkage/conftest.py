import pytest

from tests.api.helpers import ApiClient
from tests.web.conftest import in_browser as in_browser
from wangge.access.models import User


@pytest.fixture
def api_as(client):
    """``api_as(user)``: an ApiClient logged in as ``user`` (session)."""

    def login(user: User) -> ApiClient:
        client.force_login(user)
        return ApiClient(client, {"Accept-Language": "en"})

    return login
