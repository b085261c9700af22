"""A real public warning reaches the residents of its grids as a notice; its update replaces
that notice and its cancellation withdraws it and says so; an exercise reaches no resident."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tests.alerts.conftest import INFO
from tests.factories import GRID_A, GRID_B
from tests.notices.conftest import reached
from wangge.alerts.services import alert_cancel, alert_publish, alert_update
from wangge.divisions.models import Grid
from wangge.notices.models import Notice

pytestmark = pytest.mark.django_db


def written(text: str) -> str:
    """``text`` as a notice keeps it: in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


def _publish(town, **changes):
    grids = list(Grid.objects.filter(code__in=[GRID_A, GRID_B]))
    return alert_publish(**{**INFO, "grids": grids, "status": "Actual", "by": town.staff,
                            "reason": "气象台发布", **changes})


def test_a_warning_reaches_exactly_the_residents_of_its_grids(town):
    alert = _publish(town)
    notice = Notice.objects.get(alert=alert)
    assert reached(notice) == {town.elder, town.child, town.neighbour}  # not grid C's
    assert notice.title == INFO["headline"]
    assert INFO["description"] in notice.body
    assert INFO["instruction"] in notice.body
    assert notice.urgent  # severity Severe asks each resident to confirm it
    assert notice.published_at is not None
    assert notice.sender is None


def test_a_minor_future_warning_is_not_urgent(town):
    alert = _publish(town, urgency="Future", severity="Minor")
    assert not Notice.objects.get(alert=alert).urgent


def test_an_update_replaces_the_notice_and_a_cancellation_withdraws_it(town):
    alert = _publish(town)
    update = alert_update(alert=alert, by=town.staff, reason="雨势加大",
                          headline="暴雨红色预警")
    first, second = Notice.objects.get(alert=alert), Notice.objects.get(alert=update)
    assert first.withdraw_reason == written("Replaced by an update of the warning.")
    assert second.withdrawn_at is None
    assert second.title == written("Update: %(headline)s") % {
        "headline": "暴雨红色预警"}
    cancel = alert_cancel(alert=update, by=town.staff, reason="降雨结束")
    second.refresh_from_db()
    assert second.withdraw_reason == written("The warning was cancelled.")
    last = Notice.objects.get(alert=cancel)
    assert last.title == written("Cancelled: %(headline)s") % {"headline": "暴雨红色预警"}
    assert "降雨结束" in last.body
    assert reached(last) == {town.elder, town.child, town.neighbour}


def test_an_exercise_reaches_no_resident(town):
    alert = _publish(town, status="Exercise", participants=[town.worker_a])
    assert not Notice.objects.filter(alert=alert).exists()
