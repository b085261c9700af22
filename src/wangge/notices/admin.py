"""The back office of notices: a read-only list, scoped like the pages. Notices are written,
published and withdrawn only on their pages and through the API (a notice sent does not
change; it is withdrawn)."""

from django.contrib import admin

from wangge.foundation.admin import ListedOnlyAdmin
from wangge.foundation.permissions import Action

from .models import Notice
from .selectors import notices_visible_to


@admin.register(Notice)
class NoticeAdmin(ListedOnlyAdmin):
    selector = staticmethod(notices_visible_to)
    view_action = edit_action = Action.PUBLISH_NOTICES
    list_display = ["title", "audience", "code", "urgent", "publish_at", "published_at",
                    "recipient_count", "withdrawn_at"]
    list_filter = ["audience", "urgent"]
    exclude = ["grid_codes", "building_ids"]
