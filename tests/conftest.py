import pytest
from django.test import Client
from django.utils import translation

from tests import factories

# Suites that read messages in English (the msgids); the others read the zh-hans default.
IN_ENGLISH = {"core", "events", "linkage", "open311", "patrols"}


@pytest.fixture(autouse=True)
def language(request):
    """The suites in IN_ENGLISH run in English."""
    if request.path.parent.name not in IN_ENGLISH:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """make_user hashes a password; PBKDF2 would dominate the run time of many tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and photos go to the test's own folder, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def page_as():
    """``page_as(user)``: a browser-like client logged in as ``user``, asking for English."""

    def login(user) -> Client:
        client = Client(headers={"Accept-Language": "en"})
        client.force_login(user)
        return client

    return login


@pytest.fixture
def world(db):
    """Divisions and three grids (see tests/factories.py)."""
    factories.make_divisions()
    return factories
