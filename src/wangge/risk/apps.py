"""Graded risk (分级分类): versioned rules that grade persons, buildings, grids and communities."""
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "wangge.risk"
    verbose_name = _("Risk grades")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from wangge.health.signals import risk_inputs_changed
        from wangge.people.models import PersonMove

        risk_inputs_changed.connect(_inputs_changed, dispatch_uid="risk-grades-refresh")
        post_save.connect(_person_moved, sender=PersonMove, dispatch_uid="risk-grades-move")


def _inputs_changed(sender: Any, *, persons: Any = (), buildings: Any = (), venues: Any = (),
                    **_: Any) -> None:
    """Re-grade what a writer touched, inside its transaction (so grades commit with facts)."""
    from wangge.risk.services import RISK, grades_refresh

    grades_refresh(by=RISK, persons=persons, buildings=buildings, venues=venues)


def _person_moved(sender: Any, *, instance: Any, created: bool, **_: Any) -> None:
    """A move changes whose building and grid a person's grade counts in. The move row is
    written before the person (people.services.person_transfer), so the re-grading waits for
    the commit, when the person is in their new home."""
    if not created:
        return
    from django.db import transaction

    from wangge.risk.services import RISK, grades_refresh

    person_id = instance.person_id
    transaction.on_commit(lambda: grades_refresh(by=RISK, persons={person_id}))
