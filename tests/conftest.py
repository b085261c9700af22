import pytest

from tests import factories


@pytest.fixture
def world(db):
    """Divisions and three grids (see tests/factories.py)."""
    factories.make_divisions()
    return factories
