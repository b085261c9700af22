import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from wangge.foundation.permissions import needs_two_factor

# Suites that read messages in English (the msgids); the others read the zh-hans default.
IN_ENGLISH = {"access", "alerts", "care", "core", "emergency", "epidemic", "events", "health",
              "linkage", "measures", "notices", "open311", "patrols", "populations", "residents",
              "resources", "volunteers", "needs", "conventions"}


@pytest.fixture(autouse=True)
def language(request):
    """The suites in IN_ENGLISH run in English, the others in the default language (a page
    an earlier test opened in English leaves its language active in the thread)."""
    language = "en" if request.path.parent.name in IN_ENGLISH else settings.LANGUAGE_CODE
    with translation.override(language):
        yield


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """make_user hashes a password; PBKDF2 would dominate the run time of many tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads and photos go to the test's own folder, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def second_factor_with_force_login(monkeypatch):
    """``Client.force_login`` also completes the second factor for a role that needs one, with a
    test device, as a real sign-in would after the code. Tests of two-factor sign-in itself
    sign in through the login page (tests/access)."""
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if needs_two_factor(user):
            device, _created = TOTPDevice.objects.get_or_create(user=user, name="test")
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


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
    """Divisions and three grids (see tests/factories.py), and the shipped populations (a
    transactional test that ran before flushed them with the rest)."""
    factories.make_divisions()
    factories.shipped_rows("populations.migrations.0002_shipped_populations")
    return factories


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """The access matrices' records (tests/scene.py), built once for a module's hundreds of
    tests; each test runs in its own savepoint, so its writes are undone too."""
    from tests.scene import scene_built

    with django_db_blocker.unblock(), scene_built() as built:
        yield built
