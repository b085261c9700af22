"""The pages: staff's (scope, versions and the escaped diff, turnout, close), a resident's
(vote once per household, on a phone), the public page, and ballot secrecy on every page."""

import time_machine
from django.utils import timezone

from tests.factories import COMMUNITY_1, COMMUNITY_2
from wangge.conventions.models import Ballot, Participation
from wangge.conventions.services import ballot_cast, discussion_open, version_add, vote_close

from .conftest import after_deadline, drafted, voting


def test_staff_of_another_community_get_404(town, client):
    convention = drafted(town)
    client.force_login(town.other_staff)
    assert client.get(f"/conventions/{convention.pk}/").status_code == 404
    assert client.post(f"/conventions/{convention.pk}/discussion/").status_code == 404
    client.force_login(town.street)
    assert client.get(f"/conventions/{convention.pk}/").status_code == 200
    client.force_login(town.worker_a)  # a grid worker sees their community's
    assert client.get(f"/conventions/{convention.pk}/").status_code == 200
    client.force_login(town.accounts["father"])
    assert client.get(f"/conventions/{convention.pk}/").status_code == 403
    assert client.get(f"/conventions/{2**70}/").status_code in (403, 404)


def test_any_version_and_an_escaped_diff(town, client):
    convention = drafted(town)
    version_add(convention=convention, by=town.staff, why="加一条",
                text=convention.versions.get().text + "\n<script>alert(1)</script>")
    client.force_login(town.staff)
    page = client.get(f"/conventions/{convention.pk}/?old=1&new=2").content.decode()
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in page
    assert "<script>alert(1)" not in page
    first = client.get(f"/conventions/{convention.pk}/?version=1").content.decode()
    assert "alert" not in first.split('id="text-title"')[1].split("</section>")[0]


def test_a_resident_votes_and_staff_see_the_tally(town, client):
    convention = voting(town)
    client.force_login(town.accounts["father"])
    assert convention.title in client.get("/me/conventions/").content.decode()
    page = client.get(f"/me/conventions/{convention.pk}/").content.decode()
    assert 'id="ballot"' in page
    client.post(f"/me/conventions/{convention.pk}/ballot/", {"choice": "for"})
    page = client.get(f"/me/conventions/{convention.pk}/").content.decode()
    assert "Your household has voted" in page
    client.force_login(town.accounts["mother"])
    refused = client.post(f"/me/conventions/{convention.pk}/ballot/", {"choice": "against"},
                          follow=True).content.decode()
    assert "Your household has already voted" in refused
    assert Ballot.objects.count() == 1
    client.force_login(town.accounts["li"])
    client.post(f"/me/conventions/{convention.pk}/ballot/", {"choice": "for"})
    client.force_login(town.staff)
    running = client.get(f"/conventions/{convention.pk}/").content.decode()
    assert '<dd id="turnout">2 / 3</dd>' in running
    assert 'id="votes-for"' not in running  # no tally while the vote runs
    with time_machine.travel(after_deadline(), tick=False):
        client.logout()  # a week later: a new session
        client.force_login(town.staff)
        client.post(f"/conventions/{convention.pk}/close/")
        answer = client.get(f"/conventions/{convention.pk}/")
        closed = answer.content.decode()
    assert '<dd id="votes-for">2</dd>' in closed
    assert "Adopted" in closed
    assert 'id="turnout-grids"' in closed


def test_no_page_shows_a_households_choice(town, client):
    """Choices are kept without voters and participations without choices: no page, staff's
    or the resident's own, can say who chose what."""
    assert {field.name for field in Ballot._meta.get_fields()} == {
        "id", "vote", "choice", "grid_code"}
    assert "choice" not in {field.name for field in Participation._meta.get_fields()}
    convention = voting(town)
    ballot_cast(vote=convention.vote, by=town.accounts["li"], choice="against")
    client.force_login(town.accounts["li"])
    own = client.get(f"/me/conventions/{convention.pk}/").content.decode()
    assert "You have voted" in own or "household has voted" in own
    assert "Against</dd>" not in own
    assert 'id="votes-against"' not in own
    client.force_login(town.staff)
    staff = client.get(f"/conventions/{convention.pk}/").content.decode()
    assert "李" not in staff.split('id="vote-title"')[1].split("</section>")[0]
    with time_machine.travel(after_deadline(), tick=False):
        vote_close(vote=convention.vote, by=town.staff)
        client.logout()
        client.force_login(town.staff)
        staff = client.get(f"/conventions/{convention.pk}/").content.decode()
    # One ballot in grid A: the grid's tally is too small to show.
    assert "Too few ballots to show" in staff


def test_the_public_page(town, client):
    adopted = voting(town)
    for who in ("father", "li"):
        ballot_cast(vote=adopted.vote, by=town.accounts[who], choice="for")
    with time_machine.travel(after_deadline(), tick=False):
        vote_close(vote=adopted.vote, by=town.staff)
    draft = drafted(town, title="草稿公约")
    discussion_open(convention=draft, by=town.staff)
    page = client.get(f"/conventions/public/{COMMUNITY_1}/").content.decode()
    assert "文明公约" in page
    assert "爱护公共环境" in page
    assert "2 / 3" in page
    assert "草稿公约" not in page
    for name in ("王大", "刘芳", "李梅", "赵强"):
        assert name not in page
    assert "文明公约" not in client.get(f"/conventions/public/{COMMUNITY_2}/").content.decode()
    assert client.get("/conventions/public/420102001000/").status_code == 404  # a street
    assert client.get("/conventions/public/999999999999/").status_code == 404


def test_staff_draft_and_run_a_vote_on_the_pages(town, client):
    client.force_login(town.staff)
    made = client.post("/conventions/new/", {
        "kind": "proposal", "title": "加装电梯", "text": "在3栋加装电梯。",
        "community_code": COMMUNITY_1})
    assert made.status_code == 302
    pk = int(made["Location"].rstrip("/").split("/")[-1])
    client.post(f"/conventions/{pk}/discussion/")
    deadline = (timezone.localtime() + timezone.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/conventions/{pk}/vote/", {"rule": "household", "quorum_percent": 50,
                                             "majority": "simple", "deadline": deadline})
    page = client.get(f"/conventions/{pk}/").content.decode()
    assert "Being voted on" in page
    assert '<dd id="turnout">0 / 3</dd>' in page
