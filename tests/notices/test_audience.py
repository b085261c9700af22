"""A notice reaches exactly its audience, resolved when it is published and kept: each kind of
audience, never anyone outside it nor outside the sender's jurisdiction (refused with a clear
error), and the bounds checked before anything is written."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import COMMUNITY_1, COMMUNITY_2, DISTRICT, GRID_A, GRID_B, GRID_C, STREET_1
from wangge.notices.models import Audience, Notice, Recipient
from wangge.notices.services import covering_code, notice_create, notice_preview
from wangge.people.services import person_transfer
from wangge.populations.models import Population

from .conftest import TEXT, reached


def test_grids(town):
    notice = notice_create(by=town.staff, audience=Audience.GRIDS, grid_codes=[GRID_A],
                           **TEXT)
    assert reached(notice) == {town.elder, town.child}
    assert notice.recipient_count == 2
    assert notice.code == GRID_A
    assert notice_preview(by=town.staff, audience=Audience.GRIDS, grid_codes=[GRID_A, GRID_B],
                          **TEXT) == 3


def test_a_grid_outside_the_jurisdiction_is_refused_and_nothing_is_written(town):
    with pytest.raises(ValidationError) as refused:
        notice_create(by=town.worker_a, audience=Audience.GRIDS, grid_codes=[GRID_A, GRID_B],
                      **TEXT)
    assert GRID_B in refused.value.message_dict["grid_codes"][0]
    assert not Notice.objects.exists()
    assert not Recipient.objects.exists()


def test_buildings(town):
    building = town.elder.dwelling.building
    notice = notice_create(by=town.worker_a, audience=Audience.BUILDINGS,
                           building_ids=[building.pk], **TEXT)
    assert reached(notice) == {town.elder}
    with pytest.raises(ValidationError) as refused:
        notice_create(by=town.worker_a, audience=Audience.BUILDINGS,
                      building_ids=[town.neighbour.dwelling.building_id], **TEXT)
    assert "building_ids" in refused.value.message_dict


def test_a_care_population_in_an_area(town):
    low_income = Population.objects.get(key="low_income")
    notice = notice_create(by=town.street, audience=Audience.POPULATION, area_code=STREET_1,
                           population=low_income, **TEXT)
    assert reached(notice) == {town.elder}  # not the one in street 2
    everywhere = notice_create(by=town.district, audience=Audience.POPULATION,
                               area_code=DISTRICT, population=low_income, **TEXT)
    assert reached(everywhere) == {town.elder, town.far}


def test_an_age_band(town):
    children = notice_create(by=town.staff, audience=Audience.AGE_BAND, area_code=COMMUNITY_1,
                             age_max=17, **TEXT)
    assert reached(children) == {town.child}
    elders = notice_create(by=town.district, audience=Audience.AGE_BAND, area_code=DISTRICT,
                           age_min=60, **TEXT)
    assert reached(elders) == {town.elder, town.far}
    with pytest.raises(ValidationError):
        notice_create(by=town.staff, audience=Audience.AGE_BAND, area_code=COMMUNITY_1,
                      age_min=70, age_max=60, **TEXT)


def test_an_organizations_members_inside_the_jurisdiction_only(town):
    notice = notice_create(by=town.street, audience=Audience.ORGANIZATION, area_code=STREET_1,
                           organization=town.team, **TEXT)
    assert reached(notice) == {town.child}  # the member living in street 2 is not reached


def test_everyone_in_an_area_and_never_beyond_the_senders(town):
    notice = notice_create(by=town.staff, audience=Audience.JURISDICTION,
                           area_code=COMMUNITY_1, **TEXT)
    assert reached(notice) == {town.elder, town.child, town.neighbour}
    for area in (DISTRICT, COMMUNITY_2, GRID_C):
        with pytest.raises(ValidationError) as refused:
            notice_create(by=town.staff, audience=Audience.JURISDICTION, area_code=area,
                          **TEXT)
        assert "never reaches beyond" in refused.value.message_dict["area_code"][0]
    district = notice_create(by=town.district, audience=Audience.JURISDICTION,
                             area_code=DISTRICT, **TEXT)
    assert reached(district) == town.everyone()


def test_recipients_are_kept_as_they_were_told(town):
    notice = notice_create(by=town.worker_a, audience=Audience.GRIDS, grid_codes=[GRID_A],
                           **TEXT)
    person_transfer(person=town.child, dwelling=town.far.dwelling,
                    moved_on=town.child.created.date(), reason="搬家", by=town.district)
    receipt = Recipient.objects.get(notice=notice, person=town.child)
    assert receipt.grid_code == GRID_A  # who was told, and where, does not move
    assert reached(notice) == {town.elder, town.child}


def test_bounds_are_checked_before_the_work(town, settings):
    with pytest.raises(ValidationError) as refused:
        notice_create(by=town.staff, audience=Audience.GRIDS, grid_codes=[GRID_A],
                      title="长" * 121, body="x")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        notice_create(by=town.district, audience=Audience.GRIDS, body="x", title="t",
                      grid_codes=[f"{GRID_A[:12]}{n:03d}" for n in range(501)])
    assert "grid_codes" in refused.value.message_dict
    settings.WANGGE_NOTICE_MAX_RECIPIENTS = 2
    with pytest.raises(ValidationError) as refused:
        notice_create(by=town.staff, audience=Audience.JURISDICTION, area_code=COMMUNITY_1,
                      **TEXT)
    assert "more than one notice may reach" in refused.value.message_dict["audience"][0]
    assert not Notice.objects.exists()


def test_the_covering_code():
    assert covering_code([GRID_A]) == GRID_A
    assert covering_code([GRID_A, GRID_B]) == COMMUNITY_1
    assert covering_code([GRID_A, GRID_C]) == DISTRICT
