"""The back office of needs and offers: read-only lists, scoped like the board. Needs, offers,
matches and donations are written on their pages and through the API, whose services keep
the quantities in step under a lock (an edit here would not)."""

from django.contrib import admin

from wangge.foundation.admin import ListedOnlyAdmin
from wangge.foundation.permissions import Action

from .models import Donation, Match, Need, Offer
from .selectors import (
    donations_visible_to,
    matches_visible_to,
    needs_visible_to,
    offers_visible_to,
)


@admin.register(Need)
class NeedAdmin(ListedOnlyAdmin):
    selector = staticmethod(needs_visible_to)
    view_action = edit_action = Action.POST_NEEDS
    list_display = ["item", "grid_code", "kind", "category", "quantity", "matched", "delivered",
                    "unit", "status", "needed_by"]
    list_filter = ["status", "kind", "category"]


@admin.register(Offer)
class OfferAdmin(ListedOnlyAdmin):
    selector = staticmethod(offers_visible_to)
    view_action = edit_action = Action.POST_NEEDS
    list_display = ["item", "area_code", "organization", "donor_name", "kind", "category",
                    "quantity", "committed", "delivered", "unit", "status", "available_until"]
    list_filter = ["status", "kind", "category"]
    # The donor's phone is shown, masked by role, on the offer's page.
    exclude = ["donor_contact"]


@admin.register(Match)
class MatchAdmin(ListedOnlyAdmin):
    selector = staticmethod(matches_visible_to)
    view_action = edit_action = Action.POST_NEEDS
    list_display = ["need", "offer", "grid_code", "quantity", "status", "assignee",
                    "delivered_quantity", "delivered_at"]
    list_filter = ["status"]


@admin.register(Donation)
class DonationAdmin(ListedOnlyAdmin):
    selector = staticmethod(donations_visible_to)
    view_action = edit_action = Action.POST_NEEDS
    list_display = ["donor_name", "item", "quantity", "unit", "category", "code", "donated_on",
                    "named_publicly"]
    list_filter = ["category", "named_publicly"]
