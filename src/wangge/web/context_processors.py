"""What the tab bar of every page needs: which tab is open, and the count on the home tab
of what waits for the user, counted only when a page shows it."""

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from wangge.access.models import User

from .selectors import home_of, resident_report_url, waiting_count

# The tab of each app's pages (web:home is the home tab; the rest of web has none).
TABS = {"events": "events", "patrols": "patrols", "notifications": "inbox"}


class Tabs:
    def __init__(self, request: HttpRequest, user: User) -> None:
        self.request = request
        self.user = user

    @cached_property
    def current(self) -> str:
        match = self.request.resolver_match
        if match is None:
            return ""
        if match.view_name == "web:home":
            return "home"
        return TABS.get(match.namespace, "")

    @cached_property
    def waiting(self) -> int:
        return waiting_count(self.user)

    @cached_property
    def home(self) -> str:
        """What the home tab is: "tasks", "resident" or "jurisdiction"."""
        return home_of(self.user)

    @cached_property
    def report_url(self) -> str:
        """A resident's report page (their tab to report)."""
        return resident_report_url(self.user) if self.home == "resident" else ""


def tabs(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"tabs": Tabs(request, user)}
