"""What apps above the event loop offer on an event's page, without the loop importing them.

An app registers a function ``(user, event) -> list[Offer]`` in its ``AppConfig.ready``
(``offer_register``); the event page shows each offer as a link. Epidemic's "record a case"
for the person of a health check-in's alert is one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Offer:
    label: str
    url: str


_OFFERS: list[Callable[[Any, Any], list[Offer]]] = []


def offer_register(offers: Callable[[Any, Any], list[Offer]]) -> None:
    if offers not in _OFFERS:
        _OFFERS.append(offers)


def offers_for(user: Any, event: Any) -> list[Offer]:
    """The links the registered apps offer ``user`` on ``event``'s page."""
    return [offer for offers in _OFFERS for offer in offers(user, event)]
