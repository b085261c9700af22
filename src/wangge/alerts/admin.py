"""The back office of public alerts: a community's scheduled preparedness messages (scoped by
the community, saved through the service with a reason). Alerts themselves are published,
updated and cancelled only on their pages and through the API: a CAP message never changes."""

from typing import Any

from django.contrib import admin

from wangge.foundation.admin import ReasonForm, ScopedAdmin
from wangge.foundation.permissions import Action

from .models import PreparednessMessage
from .selectors import preparedness_messages_visible_to
from .services import preparedness_message_save


class PreparednessMessageForm(ReasonForm):
    class Meta:
        model = PreparednessMessage
        fields = ["community_code", "topic", "headline", "description", "instruction",
                  "starts_on", "repeat", "active"]


@admin.register(PreparednessMessage)
class PreparednessMessageAdmin(ScopedAdmin):
    form = PreparednessMessageForm
    selector = staticmethod(preparedness_messages_visible_to)
    view_action = Action.PUBLISH_ALERTS
    edit_action = Action.PUBLISH_ALERTS
    list_display = ["headline", "topic", "community_code", "starts_on", "repeat", "active"]
    list_filter = ["topic", "repeat", "active"]

    def create(self, by: Any, data: dict[str, Any], reason: str) -> PreparednessMessage:
        return preparedness_message_save(message=PreparednessMessage(**data), by=by,
                                         reason=reason)

    def update(self, by: Any, record: Any, changes: dict[str, Any], reason: str
               ) -> PreparednessMessage:
        for name, value in changes.items():
            setattr(record, name, value)
        return preparedness_message_save(message=record, by=by, reason=reason)
