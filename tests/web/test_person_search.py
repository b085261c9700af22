import pytest

from tests.factories import GRID_A, make_person, make_user
from wangge.foundation.permissions import Role


def test_search_by_name_lists_residents_in_scope(worker_client, residents):
    page = worker_client.get("/people/?q=甲").content.decode()
    assert "甲居民" in page
    assert f"/people/{residents['a'].pk}/" in page


def test_htmx_gets_only_the_results(worker_client, residents):
    response = worker_client.get("/people/?q=13812345678", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "甲居民" in page
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_search_by_full_id_number(worker_client, residents):
    assert "甲居民" in worker_client.get("/people/?q=42010219800108123x").content.decode()


@pytest.mark.parametrize("written", ["４２０１０２１９８００１０８１２３ｘ", "420102800108123",
                                     " 420102 19800108 123X "])
def test_search_by_id_number_written_another_way(worker_client, residents, written):
    """Full-width, an old 15-digit card's number, spaces: the stored number is normalised."""
    assert "甲居民" in worker_client.get("/people/", {"q": written}).content.decode()


def test_an_empty_search_lists_nobody(worker_client, residents):
    response = worker_client.get("/people/")
    assert response.context["results"] is None
    assert "甲居民" not in response.content.decode()


def test_a_volunteer_cannot_find_anyone_by_a_phone_they_see_masked(client, residents):
    client.force_login(make_user(Role.VOLUNTEER, GRID_A))
    assert "甲居民" not in client.get("/people/?q=13812345678").content.decode()
    page = client.get("/people/?q=甲").content.decode()
    assert "4201**********123X" in page
    assert "13812345678" not in page


def test_search_results_are_paginated(worker_client, residents, settings):
    settings.WANGGE_PAGE_SIZE = 2
    for number in range(3):
        make_person(GRID_A, name=f"甲{number}")
    first = worker_client.get("/people/?q=甲")
    assert first.context["results"].paginator.count == 4
    assert "?q=%E7%94%B2&amp;page=2" in first.content.decode()
    assert len(worker_client.get("/people/?q=甲&page=2").context["results"]) == 2
