"""Rate limits hold: a client that drops its cookie is still counted, the address is the one
the deployment vouches for (behind its proxies, each client its own), and every process
counts in the same shared cache (the database by default)."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory

from tests.factories import COMMUNITY_1
from wangge.events.models import Event
from wangge.foundation.limits import network_of

PAGE = f"/report/{COMMUNITY_1}/"


def form(public) -> dict:
    return {"category": public.loop.category.pk, "building": public.house_a.pk,
            "description": "楼道灯坏了", "contact_name": "", "contact_phone": ""}


def post_without_cookie(public, **meta) -> int:
    """A report from a fresh client that never keeps a cookie."""
    return Client(headers={"Accept-Language": "en"}, **meta).post(PAGE, form(public)).status_code


def address(settings, trusted: str, remote: str, forwarded: str = "") -> str:
    settings.WANGGE_TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return network_of(RequestFactory().get("/", **meta))


def test_the_shared_cache_is_the_database_by_default(db):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    cache.set("probe", 1)  # its table was made by migrate
    assert cache.get("probe") == 1


def test_a_client_without_a_cookie_is_limited_by_its_address(public, settings):
    settings.WANGGE_PUBLIC_REPORT_RATE = "2/h"
    settings.WANGGE_PUBLIC_REPORT_IP_RATE = "30/h"
    assert [post_without_cookie(public) for _ in range(3)] == [302, 302, 429]
    assert post_without_cookie(public, REMOTE_ADDR="10.9.9.9") == 302  # someone else
    assert Event.objects.count() == 3


def test_x_forwarded_for_is_not_believed_without_a_proxy(public, settings):
    settings.WANGGE_PUBLIC_REPORT_RATE = "2/h"
    statuses = [post_without_cookie(public, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
                for n in range(3)]
    assert statuses == [302, 302, 429]
    assert address(settings, "", "203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_a_proxy_each_client_has_its_own_budget(public, settings):
    settings.WANGGE_TRUSTED_PROXIES = "1"
    settings.WANGGE_PUBLIC_REPORT_IP_RATE = "1/h"  # the network's limit, not the phone's

    def via_proxy(forwarded: str) -> int:
        return post_without_cookie(public, REMOTE_ADDR="10.0.0.2",
                                   HTTP_X_FORWARDED_FOR=forwarded)

    assert via_proxy("203.0.113.7") == 302
    assert via_proxy("203.0.113.7") == 429
    # A forged entry on the left does not make a new client.
    assert via_proxy("192.0.2.55, 203.0.113.7") == 429
    assert via_proxy("203.0.113.8") == 302  # the city behind the proxy is not one client


@pytest.mark.parametrize(("trusted", "remote", "forwarded", "client"), [
    ("1", "10.0.0.2", "203.0.113.7", "203.0.113.7"),
    ("1", "10.0.0.2", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
    ("2", "10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    ("1", "10.0.0.2", "", "10.0.0.2"),
    ("10.0.0.0/8", "10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
    ("10.0.0.0/8", "203.0.113.9", "6.6.6.6", "203.0.113.9"),  # not through our proxy
    ("10.0.0.0/8,fd00::/8", "fd00::1", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("1", "10.0.0.2", "nonsense", "10.0.0.2"),
])
def test_the_client_address_is_read_from_the_right(settings, trusted, remote, forwarded,
                                                    client):
    assert address(settings, trusted, remote, forwarded) == client


SCRIPT = textwrap.dedent("""
    import sys
    import django
    django.setup()
    from django.test import Client
    page, category, building = sys.argv[1:]
    response = Client().post(page, {"category": category, "building": building,
                                    "description": "楼道灯坏了"})
    print(response.status_code)
""")


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    user = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{user}@{config['HOST']}:{config['PORT'] or 5432}/{config['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_budget(settings):
    from tests.open311.conftest import make_public

    public = make_public()
    settings.WANGGE_PUBLIC_REPORT_RATE = "2/d"
    assert post_without_cookie(public) == 302  # this process: 1 of 2
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "wangge.settings",
                   "DATABASE_URL": database_url(), "WANGGE_PUBLIC_REPORT_RATE": "2/d"}
    environment.pop("WANGGE_CACHE_URL", None)
    other = subprocess.run(
        [sys.executable, "-c", SCRIPT, PAGE, str(public.loop.category.pk),
         str(public.house_a.pk)], env=environment, capture_output=True, text=True,
        check=False)
    assert other.stdout.strip().splitlines()[-1:] == ["302"], other.stderr  # 2 of 2
    assert post_without_cookie(public) == 429  # the other process counted too
    assert Event.objects.count() == 2


@pytest.mark.parametrize(("url", "backend", "location"), [
    ("", "django.core.cache.backends.db.DatabaseCache", "wangge_cache"),
    ("db://limits", "django.core.cache.backends.db.DatabaseCache", "limits"),
    ("redis://cache:6379/1", "django.core.cache.backends.redis.RedisCache",
     "redis://cache:6379/1"),
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache", None),
])
def test_the_cache_comes_from_the_environment(url, backend, location):
    from wangge.settings import _cache

    config = _cache(url)
    assert config["BACKEND"] == backend
    assert config.get("LOCATION") == location


def test_an_unknown_cache_url_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from wangge.settings import _cache

    with pytest.raises(ImproperlyConfigured):
        _cache("memcached://x")
