"""What a resident's phone carries: the place it was sent from (a building's QR poster, or the
link a grid worker sends for a dwelling) and, once the resident has said who they are, a pass
naming the persons they may answer for. Both are signed (django.core.signing), so neither can
be made up or changed; neither holds anything but record ids."""

from typing import Any

from django.conf import settings
from django.core import signing

from wangge.people.models import Person

PLACE_SALT = "wangge.health.place"
PASS_SALT = "wangge.health.pass"
PASS_COOKIE = "wg_checkin"
PASS_PATH = "/checkin/"


def place_token(*, building: int | None = None, dwelling: int | None = None) -> str:
    """The token in a poster's or a link's address: a building (the poster) or a dwelling (the
    grid worker's link for one household)."""
    place = {"d": dwelling} if dwelling is not None else {"b": building}
    return signing.dumps(place, salt=PLACE_SALT)


def place_of(token: str) -> dict[str, int] | None:
    """``{"building": pk}`` or ``{"dwelling": pk}`` for a genuine token; None otherwise."""
    try:
        place: Any = signing.loads(token, salt=PLACE_SALT)
    except signing.BadSignature:
        return None
    if isinstance(place, dict) and isinstance(place.get("d"), int):
        return {"dwelling": place["d"]}
    if isinstance(place, dict) and isinstance(place.get("b"), int):
        return {"building": place["b"]}
    return None


def pass_issue(persons: list[Person], *, channel: str) -> str:
    """The pass of a resident who confirmed who they are: the persons they answer for (they
    first), and how they came (the poster or a grid worker's link)."""
    return signing.dumps({"p": [person.pk for person in persons], "c": channel},
                         salt=PASS_SALT, compress=True)


def pass_read(value: str) -> tuple[list[int], str] | None:
    """The person ids and channel of a genuine pass younger than WANGGE_CHECKIN_PASS_DAYS;
    None otherwise."""
    try:
        data: Any = signing.loads(value, salt=PASS_SALT,
                                  max_age=settings.WANGGE_CHECKIN_PASS_DAYS * 86400)
    except signing.BadSignature:
        return None
    ids = data.get("p") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(pk, int) for pk in ids):
        return None
    return ids, str(data.get("c", ""))
