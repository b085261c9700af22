import pytest


@pytest.fixture(autouse=True)
def own_spool(settings, tmp_path):
    """Entries spooled by a test stay in its own folder."""
    settings.WANGGE_ACCESS_LOG_SPOOL = tmp_path / "access-log-spool.jsonl"


from tests.api.conftest import api_as  # noqa: E402

__all__ = ["api_as"]


@pytest.fixture(autouse=True)
def english():
    """These tests read English; the language active before is restored after each one."""
    from django.utils import translation

    with translation.override("en"):
        yield
