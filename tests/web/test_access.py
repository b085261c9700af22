"""Who may open the pages at all: anonymous visitors go to the login page."""

import pytest
from django.urls import reverse

from tests.factories import GRID_A


@pytest.mark.parametrize("url", [
    "/", f"/grids/{GRID_A}/", "/buildings/unplaced/", "/people/?q=甲", "/people/1/",
    "/people/1/edit/",
])
def test_anonymous_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login") + "?next=")


def test_logging_in_opens_home(client, grid_worker):
    grid_worker.set_password("a long passphrase 1")
    grid_worker.save()
    page = client.get(reverse("web:login")).content.decode()
    assert 'name="username"' in page
    response = client.post(reverse("web:login"),
                           {"username": "worker-a", "password": "a long passphrase 1"})
    assert response.status_code == 302
    assert response.url == reverse("web:home")


def test_a_wrong_password_is_refused(client, grid_worker):
    response = client.post(reverse("web:login"), {"username": "worker-a", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logging_out_takes_a_post(worker_client):
    response = worker_client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert worker_client.get("/").status_code == 302
