import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """These tests read messages in English (the msgids)."""
    with translation.override("en"):
        yield
