from tests.factories import GRID_A, resident_id


def test_world_builds(world):
    person = world.make_person(GRID_A)
    assert person.grid_code == GRID_A
    assert len(resident_id()) == 18
