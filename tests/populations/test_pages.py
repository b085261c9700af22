"""The person's page: circumstances shown to roles that see them, recorded by a form built
from the population's fields."""

import pytest

from tests.factories import GRID_A, GRID_C, make_person, make_user
from wangge.populations.models import Circumstance

pytestmark = pytest.mark.django_db


def test_a_grid_worker_records_an_older_person_living_alone(world, page_as):
    worker = make_user("grid_worker", GRID_A)
    person = make_person(GRID_A, "王秀英")
    daughter = make_person(GRID_A, "李娟", dwelling=person.dwelling)
    page = page_as(worker)
    assert "老年人" in page.get(f"/people/{person.pk}/").content.decode()
    form = page.get(f"/people/{person.pk}/circumstances/older_people/")
    assert form.status_code == 200
    assert "居住情况" in form.content.decode()
    refused = page.post(f"/people/{person.pk}/circumstances/older_people/",
                        {"capability": "mild", "reason": "走访"})
    assert refused.status_code == 422
    assert not Circumstance.objects.exists()
    done = page.post(f"/people/{person.pk}/circumstances/older_people/", {
        "living_situation": "alone", "capability": "moderate", "emergency_contact": "other",
        "emergency_contact__id": daughter.id_number, "reason": "走访"})
    assert done.status_code == 302
    assert Circumstance.objects.get().values == {
        "living_situation": "alone", "capability": "moderate", "emergency_contact": daughter.pk}
    shown = page.get(f"/people/{person.pk}/").content.decode()
    assert "中度失能" in shown
    assert "李娟" in shown
    ended = page.post(f"/people/{person.pk}/circumstances/older_people/end/",
                      {"reason": "搬离本社区"})
    assert ended.status_code == 302
    assert Circumstance.objects.get().ended_on is not None


def test_roles_that_do_not_see_circumstances_get_neither_section_nor_form(world, page_as):
    person = make_person(GRID_A)
    volunteer = page_as(make_user("volunteer", GRID_A))
    assert "person-circumstances" not in volunteer.get(f"/people/{person.pk}/").content.decode()
    assert volunteer.get(f"/people/{person.pk}/circumstances/floating/").status_code == 403
    outside = page_as(make_user("grid_worker", GRID_C))
    assert outside.get(f"/people/{person.pk}/circumstances/floating/").status_code == 404
    worker = page_as(make_user("grid_worker", GRID_A))
    assert worker.get(f"/people/{person.pk}/circumstances/nosuch/").status_code == 404


def test_a_rented_flat_shows_its_owner_lease_and_occupants(world, page_as):
    import datetime

    from tests.factories import SYSTEM
    from wangge.places.services import dwelling_update

    owner, tenant = make_person(GRID_A, "房东甲"), make_person(GRID_A, "租客乙")
    dwelling_update(dwelling=tenant.dwelling, by=SYSTEM, reason="出租登记", owner_id=owner.pk,
                    rented=True, lease_start=datetime.date(2026, 3, 1),
                    lease_end=datetime.date(2027, 2, 28), floor_area=48)
    page = page_as(make_user("grid_worker", GRID_A)).get(f"/dwellings/{tenant.dwelling.pk}/")
    text = page.content.decode()
    assert "房东甲" in text
    assert "2027-02-28" in text
    assert "48 m²" in text
