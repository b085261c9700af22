"""Writes of public reporting: file a resident's or an Open311 client's report through
``events.services.event_report`` (the one way an event is made), and issue Open311 keys."""

import datetime
from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.access.models import User
from wangge.divisions.models import Division, Grid
from wangge.divisions.selectors import grid_at
from wangge.events.models import Category, Channel, Event, EventRating, Priority, RatingSource
from wangge.events.photos import photos_prepared
from wangge.events.services import event_rate, event_report
from wangge.foundation.actors import Actor, system_actor
from wangge.foundation.codes import is_within, scope_prefix
from wangge.foundation.permissions import Action, require, require_in_scope
from wangge.normalisers.phones import normalise_phone
from wangge.places.models import Building

from .models import Open311Key, PublicReport, Source

# The error code of a place outside the jurisdiction: Open311 answers it with 403.
OUTSIDE = "outside_jurisdiction"
# The residents' page and Open311 take descriptions of the same length.
DESCRIPTION_MAX = Event._meta.get_field("description").max_length


def public_report_file(
    *, prefix: str, category: Category, description: str,
    building: Building | None = None, longitude: float | None = None,
    latitude: float | None = None, address: str = "", photos: Sequence[IO[bytes]] = (),
    priority: str = Priority.NORMAL, client: Open311Key | None = None,
    contact_name: str = "", contact_phone: str = "", contact_email: str = "",
    device_id: str = "", account_id: str = "", media_url: str = "",
    resident: User | None = None,
) -> Event:
    """File a report from the public within the jurisdiction ``prefix`` (a community for the
    residents' page, the client's for Open311); the event has no reporter account. A
    ``resident`` signed in on the page finds it among their reports."""
    errors: dict[str, list[str]] = {}
    if category.is_sensitive:  # what the public channels never offer, they never take
        errors["category"] = [_("This kind of problem cannot be reported here.")]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Describe it in at most %(count)s characters.")
                                 % {"count": DESCRIPTION_MAX}]
    if len(photos) > settings.WANGGE_PUBLIC_MAX_PHOTOS:
        errors["photos"] = [_("Send at most %(count)s photos.")
                            % {"count": settings.WANGGE_PUBLIC_MAX_PHOTOS}]
    contact_phone = contact_phone.strip()
    if contact_phone:
        try:
            contact_phone = normalise_phone(contact_phone)
        except ValidationError as error:
            errors["contact_phone"] = error.messages
    for field, value, check in [("contact_email", contact_email, validate_email),
                                ("media_url", media_url, URLValidator(schemes=["http", "https"]))]:
        try:
            if value:
                check(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    _require_place_within(prefix, building, longitude, latitude)
    prepared = photos_prepared(photos)  # decoded before the transaction: see photos.py
    # The public has no account: the report is the system's, within the page's or key's
    # jurisdiction only, and named in the event's history.
    public = system_actor(f"open311 {client.name}" if client else "residents' page",
                          scope_prefixes=(prefix,))
    with transaction.atomic():
        event = event_report(category=category, description=description, by=public,
                             priority=priority, longitude=longitude, latitude=latitude,
                             building=building, address=address, photos=prepared,
                             channel=Channel.PUBLIC)
        PublicReport.objects.create(
            event=event, source=Source.OPEN311 if client else Source.PAGE, client=client,
            contact_name=contact_name.strip(), contact_phone=contact_phone,
            contact_email=contact_email.strip(), device_id=device_id.strip(),
            account_id=account_id.strip(), media_url=media_url.strip(), resident=resident)
    return event


def public_rating_give(*, event: Event, satisfaction: str, comment: str = "") -> EventRating:
    """The resident's rating of their closed report, from its status page (no account: the
    system acting for the page, within the event's grid only). ``events.services.event_rate``
    says what it does: one per closing, the first unsatisfied one reopens the event."""
    page = system_actor("residents' page", scope_prefixes=(event.grid_code,))
    return event_rate(event=event, satisfaction=satisfaction, comment=comment, by=page,
                      source=RatingSource.PUBLIC)


def _require_place_within(prefix: str, building: Building | None, longitude: float | None,
                          latitude: float | None) -> None:
    """Refuse a building or point outside the jurisdiction before anything is stored."""
    if building is not None:
        if not is_within(building.grid_code, [prefix]):
            raise ValidationError({"building": ValidationError(
                _("%(name)s is not in this jurisdiction.") % {"name": building.name},
                code=OUTSIDE)})
        return
    if longitude is None or latitude is None:
        return  # event_report names what is missing
    grid = grid_at(longitude, latitude)
    if grid is not None and not is_within(grid.code, [prefix]):
        raise ValidationError({"longitude": ValidationError(
            _("This location is outside the area this page or key serves."), code=OUTSIDE)})


def open311_key_create(*, name: str, jurisdiction_code: str) -> tuple[Open311Key, str]:
    """A new key for an Open311 client bound to a division or grid; returns the key record
    and the secret, which is not stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the client.")})
    if Open311Key.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A key named %(name)s exists already.")
                               % {"name": name}})
    scope_prefix(jurisdiction_code)  # refuses what is not a division or grid code
    if not (Division.objects.filter(code=jurisdiction_code).exists()
            or Grid.objects.filter(code=jurisdiction_code).exists()):
        raise ValidationError({"jurisdiction_code": _("No division or grid has the code "
                                                      "%(code)s.") % {"code": jurisdiction_code}})
    secret = Open311Key.new_secret()
    key = Open311Key.objects.create(name=name, jurisdiction_code=jurisdiction_code,
                                    digest=Open311Key.digest_of(secret))
    return key, secret


def open311_key_authenticate(secret: str, *, record_use: bool) -> Open311Key | None:
    """The active key whose secret this is; None for anything else. ``record_use`` marks it as
    used now: only when filing, as a read must never write (see access.services.token_user)."""
    if not secret:
        return None
    key = Open311Key.objects.filter(digest=Open311Key.digest_of(secret), active=True).first()
    if key is not None and record_use:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def public_contacts_purge() -> int:
    """Clear the sender's contact and identifiers on public reports whose event closed more
    than WANGGE_PUBLIC_CONTACT_RETENTION_DAYS ago (cron, through `wangge purge`); the report
    and its event stay. An open event keeps them: it may still need a call. Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(
        days=settings.WANGGE_PUBLIC_CONTACT_RETENTION_DAYS)
    fields = ("contact_name", "contact_phone", "contact_email", "device_id", "account_id")
    held = Q()
    for field in fields:
        held |= ~Q(**{field: ""})
    return (PublicReport.objects.filter(held, event__closed_at__lt=cutoff)
            .update(**dict.fromkeys(fields, "")))


def open311_key_set_active(*, key: Open311Key, active: bool, by: Actor) -> Open311Key:
    """Retire a key (or bring it back): by those who configure events, for a key bound within
    their jurisdiction."""
    require(by, Action.CONFIGURE_EVENTS)
    require_in_scope(by, key.jurisdiction_code, "jurisdiction_code")
    key.active = active
    key.save(update_fields=["active"])
    return key
