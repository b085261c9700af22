"""The Atom feed of the real, public warnings in force (``/alerts/feed.atom``, no sign-in),
each entry linking to its CAP document, as CAP aggregators read them."""

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .cap import MEDIA_TYPE
from .models import Alert

# A public page: the newest warnings in force, however many a city has issued.
FEED_SIZE = 200


class CapAtomFeed(Atom1Feed):
    """Atom whose entries' links say they lead to a CAP document."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "related",
                                             "type": MEDIA_TYPE})


class CurrentAlertsFeed(Feed):
    feed_type = CapAtomFeed
    title = _("Public warnings in force")
    subtitle = _("OASIS CAP 1.2 alerts; each entry links to its CAP document.")
    language = "zh-CN"

    def link(self) -> str:
        return reverse("alerts:feed")

    def author_name(self) -> str:
        return settings.WANGGE_CAP_SENDER

    def items(self) -> "QuerySet[Alert]":
        return Alert.objects.public().current(timezone.now()).order_by("-sent", "-id")[:FEED_SIZE]

    def item_title(self, item: Alert) -> str:
        return item.headline

    def item_description(self, item: Alert) -> str:
        return item.description

    def item_link(self, item: Alert) -> str:
        return reverse("api:alert_cap", kwargs={"id": item.pk})

    def item_guid(self, item: Alert) -> str:
        return item.identifier

    def item_guid_is_permalink(self, item: Alert) -> bool:
        return False

    def item_pubdate(self, item: Alert) -> Any:
        return item.sent

    def item_updateddate(self, item: Alert) -> Any:
        return item.sent

    def item_categories(self, item: Alert) -> list[str]:
        return [item.category]
