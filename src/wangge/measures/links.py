"""The link a grid worker sends a person to their measure: signed (django.core.signing), so
it cannot be made up or changed, holding nothing but the measure's id; and, once the person
has confirmed who they are, the short-lived proof their appeal form carries."""

from typing import Any

from django.conf import settings
from django.core import signing

LINK_SALT = "wangge.measures.link"
SEEN_SALT = "wangge.measures.seen"
# The appeal form is sent within this long after the person confirmed who they are.
SEEN_SECONDS = 3600


def notice_token(measure_id: int) -> str:
    return signing.dumps({"m": measure_id}, salt=LINK_SALT)


def measure_of(token: str) -> int | None:
    """The measure id of a genuine link younger than WANGGE_MEASURE_LINK_DAYS; else None."""
    return _read(token, LINK_SALT, settings.WANGGE_MEASURE_LINK_DAYS * 86400)


def seen_token(measure_id: int) -> str:
    return signing.dumps({"m": measure_id}, salt=SEEN_SALT)


def seen_measure(token: str) -> int | None:
    return _read(token, SEEN_SALT, SEEN_SECONDS)


def _read(token: str, salt: str, max_age: int) -> int | None:
    try:
        data: Any = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None
    value = data.get("m") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
