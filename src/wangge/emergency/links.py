"""The one-tap answer link of a call: signed (django.core.signing), holding nothing but the
call's id, so it works on a phone without signing in and cannot be made up or changed."""

from typing import Any

from django.conf import settings
from django.core import signing

SALT = "wangge.emergency.callout"


def answer_token(callout_id: int) -> str:
    return signing.dumps({"c": callout_id}, salt=SALT)


def callout_of(token: str) -> int | None:
    """The call's id of a genuine link younger than WANGGE_CALLOUT_LINK_HOURS; else None."""
    try:
        data: Any = signing.loads(token, salt=SALT,
                                  max_age=settings.WANGGE_CALLOUT_LINK_HOURS * 3600)
    except signing.BadSignature:
        return None
    value = data.get("c") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
