"""The 400, 403, 404 and 500 pages: in the site's layout and language (zh-hans, the default),
with a phone's viewport and a way back; JSON under /api/. pytest runs with DEBUG=False, as a
deployment does, so these are the pages people see."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import GRID_C, make_building, make_user
from wangge.foundation.permissions import Role
from wangge.web.errors import server_error

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def _in_chinese(page: str, *msgids: str) -> None:
    """The page is in Simplified Chinese: its language, the layout's words, and ``msgids`` as
    the catalogue translates them."""
    assert '<html lang="zh-hans">' in page
    assert VIEWPORT in page
    assert "网格化治理" in page  # the layout's brand
    with translation.override("zh-hans"):
        for msgid in msgids:
            assert gettext(msgid) in page, msgid


def test_404_is_the_site_page_in_chinese_with_a_way_home(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    _in_chinese(page, "Page not found", "Home")
    assert "页面不存在" in page
    assert 'class="button primary" href="/"' in page


def test_a_record_outside_the_jurisdiction_gets_the_same_404(world, client):
    client.force_login(make_user(Role.GRID_WORKER, world.GRID_A))
    response = client.get(f"/buildings/{make_building(GRID_C).pk}/")
    assert response.status_code == 404
    _in_chinese(response.content.decode(), "Page not found")


def test_403_says_why_and_leads_back(world, client):
    client.force_login(make_user(Role.VOLUNTEER, world.GRID_A))
    response = client.get("/imports/", headers={"referer": "http://testserver/people/"})
    assert response.status_code == 403
    page = response.content.decode()
    _in_chinese(page, "Your role may not do this.", "Back to the previous page", "Home")
    assert 'href="http://testserver/people/" rel="prev"' in page
    # The signed-in layout (navigation, the account) is there: it is the site's page.
    assert "退出" in page or gettext("Log out") in page


def test_the_way_back_never_leads_off_the_site(world, client):
    client.force_login(make_user(Role.VOLUNTEER, world.GRID_A))
    page = client.get("/imports/", headers={"referer": "https://evil.example/"}).content.decode()
    assert "evil.example" not in page


def test_an_expired_form_is_a_403_saying_to_reload(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.GRID_WORKER, world.GRID_A))
    response = client.post("/account/password/", {"old_password": "x"})
    assert response.status_code == 403
    _in_chinese(response.content.decode(),
                "This form has expired. Go back, reload the page and send it again.")


def test_400_for_a_host_the_site_does_not_serve(client, db):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    _in_chinese(response.content.decode(), "Bad request", "Home")


@pytest.mark.urls("tests.web.error_urls")
def test_500_in_chinese_when_the_database_fails(db):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", headers={"referer": "http://testserver/people/"})
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert VIEWPORT in page
    with translation.override("zh-hans"):
        assert gettext("Something went wrong") in page
        assert gettext("Home") in page
        assert "首页" in page
    assert 'href="http://testserver/people/" rel="prev"' in page


def test_500_renders_without_the_database():
    """No ``db`` fixture: pytest-django refuses any query, so a page that asked the database
    (the user, the session, the unread count) would fail here."""
    request = RequestFactory().get("/people/")
    with translation.override("zh-hans"):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-hans">' in page
    assert VIEWPORT in page
    assert "首页" in page


def test_500_falls_back_to_plain_words_when_its_template_fails(monkeypatch):
    from django.template import loader

    def broken(name):
        raise RuntimeError("no templates today")

    monkeypatch.setattr(loader, "get_template", broken)
    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert VIEWPORT in page
    assert "首页" in page


@pytest.mark.urls("tests.web.error_urls")
def test_api_errors_stay_json(db):
    client = Client(raise_request_exception=False)
    missing = client.get("/api/v1/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json()["message"] == "没有该记录，或该记录不在您的辖区内。"
    failed = client.get("/api/v1/broken/")
    assert failed.status_code == 500
    assert failed["Content-Type"].startswith("application/json")
    with translation.override("zh-hans"):
        assert failed.json()["message"] == gettext(
            "Something went wrong on our side. It has been recorded; please try again in a "
            "moment.")
