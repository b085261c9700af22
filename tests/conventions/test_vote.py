"""The vote: one per household (refused for a second member, by the database too), or one
per adult; the electorate fixed when the vote opens; the deadline; quorum and majority; the
adopted version becomes the current text."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import GRID_A, GRID_C, SYSTEM, make_dwelling
from wangge.conventions.models import Ballot, Convention, Participation, State, Vote
from wangge.conventions.services import (
    ballot_cast,
    conventions_due,
    version_add,
    vote_close,
    vote_open,
)
from wangge.people.services import person_transfer

from .conftest import after_deadline, drafted, voting


def _cast(town, who: str, choice: str, convention: Convention):
    return ballot_cast(vote=convention.vote, by=town.accounts[who], choice=choice)


def test_one_vote_per_household(town):
    convention = voting(town)
    vote = convention.vote
    # The Wangs (one household), Mrs Li (hers), Mr Zhao (no household record: himself).
    assert vote.electorate == 3
    _cast(town, "father", "for", convention)
    with pytest.raises(ValidationError, match="Your household has already voted"):
        _cast(town, "mother", "against", convention)
    assert Participation.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_the_database_refuses_a_second_vote_of_a_household(town):
    convention = voting(town)
    participation = _cast(town, "father", "for", convention)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(vote=convention.vote, unit=participation.unit,
                                     grid_code=GRID_A, cast_at=timezone.now())


def test_one_vote_per_adult_where_the_rule_says(town):
    convention = voting(town, rule="person")
    assert convention.vote.electorate == 4  # four adults; the child is not one
    _cast(town, "father", "for", convention)
    _cast(town, "mother", "against", convention)
    with pytest.raises(ValidationError, match="You have already voted"):
        _cast(town, "father", "for", convention)
    assert not convention.vote.electors.filter(person=town.child).exists()


def test_the_electorate_is_fixed_when_the_vote_opens(town):
    convention = voting(town)
    electorate = convention.vote.electorate
    today = datetime.date.today()
    # Mr Zhao moves away, Mr Qian moves in: neither changes who votes.
    person_transfer(person=town.zhao, dwelling=make_dwelling(GRID_C, "501"), moved_on=today,
                    by=SYSTEM, reason="搬家")
    person_transfer(person=town.qian, dwelling=make_dwelling(GRID_A, "502"), moved_on=today,
                    by=SYSTEM, reason="搬家")
    _cast(town, "zhao", "for", convention)
    with pytest.raises(PermissionDenied, match="not in the electorate"):
        _cast(town, "qian", "for", convention)
    assert Vote.objects.get().electorate == electorate


def test_someone_outside_the_area_is_refused(town):
    convention = voting(town, grid_codes=[GRID_A])
    assert convention.vote.electorate == 2  # the Wangs and Mrs Li; not grid B
    with pytest.raises(PermissionDenied):
        _cast(town, "zhao", "for", convention)
    with pytest.raises(PermissionDenied):
        _cast(town, "qian", "for", convention)
    with pytest.raises(PermissionDenied):  # staff have no household to vote for
        ballot_cast(vote=convention.vote, by=town.staff, choice="for")


def test_no_vote_after_the_deadline(town):
    convention = voting(town)
    with time_machine.travel(after_deadline(), tick=False), pytest.raises(
            ValidationError, match="closed"):
        _cast(town, "father", "for", convention)


def test_a_vote_closes_only_after_its_deadline(town):
    convention = voting(town)
    with pytest.raises(ValidationError, match="deadline"):
        vote_close(vote=convention.vote, by=town.staff)
    assert conventions_due(by=SYSTEM) == []


def test_quorum_met_and_majority_for_adopts_the_voted_version(town):
    convention = drafted(town)
    version_add(convention=convention, by=town.staff, text=convention.versions.get().text
                + "\n第三条 垃圾分类投放。", why="居民建议")
    vote_open(convention=convention, by=town.staff, rule="household", quorum_percent=50,
              deadline=timezone.now() + datetime.timedelta(days=7))
    convention.refresh_from_db()
    _cast(town, "father", "for", convention)
    _cast(town, "li", "against", convention)
    _cast(town, "zhao", "for", convention)
    with time_machine.travel(after_deadline(), tick=False):
        call_command("conventions-due")
    convention.refresh_from_db()
    vote = convention.vote
    assert (vote.turnout, vote.votes_for, vote.votes_against, vote.quorum_met, vote.adopted) == (
        3, 2, 1, True, True)
    assert convention.state == State.IN_FORCE
    assert convention.current_version.number == 2
    assert "第三条" in convention.current_version.text


def test_quorum_not_met_rejects(town):
    convention = voting(town, quorum=80)
    _cast(town, "father", "for", convention)
    _cast(town, "li", "for", convention)  # 2 of 3 households: 67 % < 80 %
    with time_machine.travel(after_deadline(), tick=False):
        vote = vote_close(vote=convention.vote, by=town.staff)
    assert (vote.quorum_met, vote.adopted) == (False, False)
    convention.refresh_from_db()
    assert convention.state == State.REJECTED
    assert convention.current_version is None


def test_a_tie_or_a_majority_against_rejects(town):
    convention = voting(town, quorum=50)
    _cast(town, "father", "for", convention)
    _cast(town, "li", "against", convention)
    _cast(town, "zhao", "abstain", convention)
    with time_machine.travel(after_deadline(), tick=False):
        vote = vote_close(vote=convention.vote, by=town.staff)
    assert vote.quorum_met is True
    assert vote.adopted is False  # 1 for, 1 against: not more for than against


def test_two_thirds_majority(town):
    convention = drafted(town)
    vote_open(convention=convention, by=town.staff, rule="person", quorum_percent=50,
              majority="two_thirds", deadline=timezone.now() + datetime.timedelta(days=7))
    convention.refresh_from_db()
    for who, choice in (("father", "for"), ("mother", "for"), ("li", "against")):
        _cast(town, who, choice, convention)
    with time_machine.travel(after_deadline(), tick=False):
        assert vote_close(vote=convention.vote, by=town.staff).adopted is True


def test_an_adopted_convention_supersedes_the_old_one(town):
    old = voting(town)
    for who in ("father", "li"):
        _cast(town, who, "for", old)
    with time_machine.travel(after_deadline(), tick=False):
        vote_close(vote=old.vote, by=town.staff)
    old.refresh_from_db()
    assert old.state == State.IN_FORCE
    new = voting(town, title="文明公约（修订）", supersedes=old)
    for who in ("father", "li"):
        _cast(town, who, "for", new)
    with time_machine.travel(after_deadline(), tick=False):
        vote_close(vote=new.vote, by=town.staff)
    old.refresh_from_db()
    assert old.state == State.SUPERSEDED


def test_the_text_is_not_amended_once_the_vote_opens(town):
    convention = voting(town)
    with pytest.raises(ValidationError, match="before the vote opens"):
        version_add(convention=convention, by=town.staff, text="新文本", why="改")


def test_staff_of_another_community_cannot_run_it(town):
    convention = drafted(town)
    with pytest.raises(PermissionDenied):
        vote_open(convention=convention, by=town.other_staff, rule="household",
                  quorum_percent=50, deadline=timezone.now() + datetime.timedelta(days=7))
    with pytest.raises(PermissionDenied):  # a grid worker sees it, but does not run it
        vote_open(convention=convention, by=town.worker_a, rule="household",
                  quorum_percent=50, deadline=timezone.now() + datetime.timedelta(days=7))
