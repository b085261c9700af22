"""Public warnings reach residents: a real CAP alert (``wangge.alerts``) is passed on as a
notice to everyone living in its grids, on their pages and notification channels.

An update withdraws the notice of the message it replaces and sends its own; a cancellation
withdraws it and tells the same grids the warning is cancelled. Exercises and tests never
reach residents (the alert sends nothing for them)."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from wangge.alerts.models import Alert, MessageType, Severity, Urgency
from wangge.divisions.models import Grid
from wangge.foundation.actors import Actor, system_actor

from .models import Audience, Notice
from .services import BODY_CHARACTERS, TITLE_CHARACTERS, notice_create, notice_withdraw

logger = logging.getLogger(__name__)

URGENT = {Urgency.IMMEDIATE, Severity.EXTREME, Severity.SEVERE}


def _title(alert: Alert) -> str:
    wording = {MessageType.UPDATE: _("Update: %(headline)s"),
               MessageType.CANCEL: _("Cancelled: %(headline)s")}.get(
        MessageType(alert.msg_type), "%(headline)s")
    title = wording % {"headline": alert.headline}
    return title if len(title) <= TITLE_CHARACTERS else title[:TITLE_CHARACTERS - 1] + "…"


def _body(alert: Alert) -> str:
    if alert.msg_type == MessageType.CANCEL:
        parts = [_("This warning is cancelled."), alert.note]
    else:
        parts = [alert.description, alert.instruction]
    body = "\n\n".join(part.strip() for part in parts if part.strip()) or alert.headline
    return body[:BODY_CHARACTERS]


def alert_notice(sender: Any, *, alert: Alert, grids: list[Grid], by: Actor,
                 **kwargs: Any) -> None:
    """The receiver of ``alerts.signals.alert_saved``: withdraw the replaced message's notice,
    and send this message's. A notice the bounds refuse (an audience over
    ``WANGGE_NOTICE_MAX_RECIPIENTS``) is logged, never a reason to hold back the warning,
    which the grids' staff are told of in any case."""
    actor = system_actor("public warning")
    with translation.override(settings.LANGUAGE_CODE):  # the notice is kept as written
        if alert.replaces_id is not None:
            reason = (_("The warning was cancelled.") if alert.msg_type == MessageType.CANCEL
                      else _("Replaced by an update of the warning."))
            for notice in Notice.objects.filter(alert_id=alert.replaces_id, withdrawn_at=None):
                notice_withdraw(notice=notice, by=actor, reason=reason)
        if not grids:
            return
        try:
            with transaction.atomic():
                notice_create(by=actor, title=_title(alert), body=_body(alert),
                              audience=Audience.GRIDS, grid_codes=[grid.code for grid in grids],
                              urgent=bool({alert.urgency, alert.severity} & URGENT),
                              alert=alert)
        except ValidationError as error:
            logger.warning("public warning %s not sent as a notice: %s", alert.identifier,
                           " ".join(error.messages))
