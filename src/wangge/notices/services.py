"""Writes of notices: compose (publish now or schedule), publish (the audience resolved to
persons once, inserted by the database in one statement however many), withdraw; and the
receipts: read, acknowledged, told in person.

A notice reaches exactly its audience and never beyond its sender's jurisdiction: every grid,
building, organization or area named is checked against it before anything is written (a
ValidationError naming the field), and the persons are taken inside the notice's area and the
sender's jurisdiction again when it is published.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, IntegerField, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wangge.access.models import User
from wangge.alerts.models import Alert
from wangge.bulk import insert_from
from wangge.divisions.models import Division, Grid
from wangge.foundation.actors import Actor, SystemActor, actor_checked, user_of
from wangge.foundation.codes import PREFIX_LENGTH, Level, is_within, level_of, scope_prefix
from wangge.foundation.history import save_with_history, stated_reason
from wangge.foundation.permissions import Action, can, require
from wangge.notifications.models import NOTICE
from wangge.notifications.services import notify_about_all
from wangge.organizations.models import Membership, Organization
from wangge.organizations.selectors import organizations_visible_to
from wangge.people.models import Person
from wangge.places.models import Building
from wangge.populations.models import Circumstance, Population
from wangge.residents.selectors import resident_person

from .models import Audience, Notice, Recipient

# Bounds checked before any work.
TITLE_CHARACTERS = 120
BODY_CHARACTERS = 5000
GRIDS_LISTED = 500
BUILDINGS_LISTED = 2000
OLDEST_AGE = 150
NOTE_CHARACTERS = 200
AREA_KINDS = {Audience.POPULATION, Audience.AGE_BAND, Audience.ORGANIZATION,
              Audience.JURISDICTION}


def covering_code(codes: Iterable[str]) -> str:
    """The narrowest grid or division code whose jurisdiction holds every one of ``codes``
    (grid or division codes): the one code itself, or their community, street, district,
    city or province."""
    codes = sorted(set(codes))
    if len(codes) == 1:
        return codes[0]
    for level in (Level.COMMUNITY, Level.STREET, Level.DISTRICT, Level.CITY, Level.PROVINCE):
        length = PREFIX_LENGTH[level]
        if len({code[:length] for code in codes}) == 1:
            return codes[0][:length].ljust(12, "0")
    return codes[0][:2].ljust(12, "0")  # never reached: a country's codes share nothing more


def _area_checked(code: str, by: Actor) -> str:
    try:
        level_of(code)
    except ValidationError as error:
        raise ValidationError({"area_code": error.messages}) from error
    exists = (Grid if len(code) == 15 else Division).objects.filter(code=code).exists()
    if not exists or not is_within(code, by.scope_prefixes):
        raise ValidationError({"area_code": _("%(code)s is not an area of your jurisdiction: a "
                                              "notice never reaches beyond it.")
                               % {"code": code}})
    return code


def _audience_checked(notice: Notice, by: Actor) -> None:
    """Check what the notice names against ``by``'s jurisdiction and the bounds, and set its
    area (``code``)."""
    kind = notice.audience
    if kind not in Audience.values:
        raise ValidationError({"audience": _("Choose who the notice is for.")})
    if kind == Audience.GRIDS:
        codes = sorted(set(notice.grid_codes))
        if not codes or len(codes) > GRIDS_LISTED:
            raise ValidationError({"grid_codes": _("Choose from 1 to %(count)s grids.")
                                   % {"count": GRIDS_LISTED}})
        found = set(Grid.objects.in_scope(by.scope_prefixes).filter(code__in=codes)
                    .values_list("code", flat=True))
        if outside := [code for code in codes if code not in found]:
            raise ValidationError({"grid_codes": _(
                "Not a grid of your jurisdiction: %(codes)s. A notice never reaches beyond "
                "it.") % {"codes": ", ".join(outside[:10])}})
        notice.grid_codes, notice.code = codes, covering_code(codes)
    elif kind == Audience.BUILDINGS:
        ids = sorted(set(notice.building_ids))
        if not ids or len(ids) > BUILDINGS_LISTED:
            raise ValidationError({"building_ids": _("Choose from 1 to %(count)s buildings.")
                                   % {"count": BUILDINGS_LISTED}})
        placed = dict(Building.objects.in_scope(by.scope_prefixes).filter(pk__in=ids)
                      .values_list("pk", "grid_code"))
        if outside := [str(pk) for pk in ids if pk not in placed]:
            raise ValidationError({"building_ids": _(
                "Not a building of your jurisdiction: %(ids)s. A notice never reaches beyond "
                "it.") % {"ids": ", ".join(outside[:10])}})
        notice.building_ids, notice.code = ids, covering_code(placed.values())
    else:
        notice.code = _area_checked(notice.code, by)
    if kind == Audience.POPULATION and notice.population_id is None:
        raise ValidationError({"population": _("Choose the care population.")})
    if kind == Audience.ORGANIZATION and not _organization_visible(notice, by):
        raise ValidationError({"organization": _("Choose an organization of your "
                                                 "jurisdiction.")})
    if kind == Audience.AGE_BAND:
        low, high = notice.age_min, notice.age_max
        if low is None and high is None:
            raise ValidationError({"age_min": _("Give the youngest age, the oldest, or both.")})
        if any(age is not None and not 0 <= age <= OLDEST_AGE for age in (low, high)):
            raise ValidationError({"age_min": _("Ages run from 0 to %(oldest)s.")
                                   % {"oldest": OLDEST_AGE}})
        if low is not None and high is not None and low > high:
            raise ValidationError({"age_max": _("The oldest age is below the youngest.")})
    if kind not in AREA_KINDS:
        notice.population = notice.organization = None
        notice.age_min = notice.age_max = None
    if kind != Audience.GRIDS:
        notice.grid_codes = []
    if kind != Audience.BUILDINGS:
        notice.building_ids = []


def _organization_visible(notice: Notice, by: Actor) -> bool:
    if notice.organization_id is None:
        return False
    if isinstance(by, SystemActor):
        return Organization.objects.filter(pk=notice.organization_id).exists()
    return organizations_visible_to(by).filter(pk=notice.organization_id).exists()


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def audience_persons(notice: Notice, prefixes: Iterable[str],
                     on: datetime.date | None = None) -> QuerySet[Person]:
    """The persons ``notice``'s audience names today, inside its area and ``prefixes`` (the
    sender's jurisdiction): one query, whatever its size."""
    persons = Person.objects.filter(merged_into=None).in_scope([scope_prefix(notice.code)])
    persons = persons.in_scope(prefixes)
    kind = notice.audience
    if kind == Audience.GRIDS:
        persons = persons.filter(grid_code__in=notice.grid_codes)
    elif kind == Audience.BUILDINGS:
        persons = persons.filter(dwelling__building_id__in=notice.building_ids)
    elif kind == Audience.POPULATION:
        persons = persons.filter(pk__in=Circumstance.objects.filter(
            population=notice.population, ended_on=None).values("person"))
    elif kind == Audience.ORGANIZATION:
        persons = persons.filter(pk__in=Membership.objects.filter(
            organization=notice.organization).values("person"))
    elif kind == Audience.AGE_BAND:
        today = on or timezone.localdate()
        if notice.age_min is not None:  # aged at least age_min: born on or before then
            persons = persons.filter(birth_date__lte=_years_before(today, notice.age_min))
        if notice.age_max is not None:  # not yet age_max + 1
            persons = persons.filter(birth_date__gt=_years_before(today, notice.age_max + 1))
    return persons.order_by()


def _sender_prefixes(notice: Notice) -> list[str] | None:
    """The jurisdiction of the notice's sender now, or None when they may no longer publish
    (deactivated, another role)."""
    sender = notice.sender
    if sender is None:
        return [""]  # written by the system (a command), which may publish anywhere
    if not can(sender, Action.PUBLISH_NOTICES):
        return None
    return sender.scope_prefixes


def _count_checked(persons: QuerySet[Person]) -> int:
    count = persons.count()
    if count > settings.WANGGE_NOTICE_MAX_RECIPIENTS:
        raise ValidationError({"audience": _(
            "This audience holds %(count)s persons, more than one notice may reach "
            "(%(most)s): choose a narrower one.") % {
            "count": count, "most": settings.WANGGE_NOTICE_MAX_RECIPIENTS}})
    return count


def notice_built(*, by: Actor, title: str, body: str, audience: str, urgent: bool = False,
                 area_code: str = "", grid_codes: Iterable[str] = (),
                 building_ids: Iterable[int] = (), population: Population | None = None,
                 organization: Organization | None = None, age_min: int | None = None,
                 age_max: int | None = None,
                 publish_at: datetime.datetime | None = None,
                 alert: Alert | None = None) -> Notice:
    """A notice checked but not saved (the compose page's preview): every rule of
    ``notice_create`` but the count."""
    require(by, Action.PUBLISH_NOTICES)
    title, body = " ".join(title.split()), body.strip()
    errors = {}
    if not title or len(title) > TITLE_CHARACTERS:
        errors["title"] = [_("Give a title of at most %(count)s characters.")
                           % {"count": TITLE_CHARACTERS}]
    if not body or len(body) > BODY_CHARACTERS:
        errors["body"] = [_("Write the notice, in at most %(count)s characters.")
                          % {"count": BODY_CHARACTERS}]
    now = timezone.now()
    if publish_at is not None and publish_at < now - datetime.timedelta(minutes=5):
        errors["publish_at"] = [_("This time has passed: leave it empty to publish now.")]
    if errors:
        raise ValidationError(errors)
    notice = Notice(title=title, body=body, urgent=urgent, audience=audience, code=area_code,
                    grid_codes=list(grid_codes), building_ids=list(building_ids),
                    population=population, organization=organization, age_min=age_min,
                    age_max=age_max, sender=user_of(by), created=now,
                    publish_at=publish_at or now, alert=alert)
    _audience_checked(notice, by)
    return notice


def notice_preview(*, by: Actor, **fields: Any) -> int:
    """How many persons the notice would reach if published now."""
    notice = notice_built(by=by, **fields)
    return audience_persons(notice, actor_checked(by).scope_prefixes).count()


def notice_create(*, by: Actor, **fields: Any) -> Notice:
    """Write a notice (see ``notice_built`` for the fields) and publish it now, or at
    ``publish_at`` (`wangge notices-due`). Refused before anything is written when it would
    reach more than ``WANGGE_NOTICE_MAX_RECIPIENTS``."""
    notice = notice_built(by=by, **fields)
    _count_checked(audience_persons(notice, actor_checked(by).scope_prefixes))
    with transaction.atomic():
        if notice.publish_at > notice.created:
            save_with_history(notice, by=by, reason=_("scheduled"))
        else:
            save_with_history(notice, by=by, reason=_("written"))
            _publish(notice, by=by)
    return notice


def _publish(notice: Notice, *, by: Actor) -> None:
    """Resolve the audience to persons and keep them as recipients (one INSERT … SELECT),
    then tell those who have an account, in their inbox and on their channels."""
    prefixes = _sender_prefixes(notice)
    if prefixes is None:
        notice.withdrawn_at = timezone.now()
        notice.withdraw_reason = _("Its sender may no longer publish notices.")
        save_with_history(notice, by=by, reason=_("withdrawn: its sender may no longer "
                                                  "publish"))
        return
    persons = audience_persons(notice, prefixes)
    _count_checked(persons)
    count = insert_from(Recipient, ["notice", "person", "grid_code", "told_note"], persons.annotate(
        _notice=Value(notice.pk, output_field=IntegerField()),
        _note=Value("", output_field=CharField())).values_list("_notice", "pk", "grid_code",
                                                               "_note"))
    notice.published_at, notice.recipient_count = timezone.now(), count
    save_with_history(notice, by=by, reason=_("published"))
    wording = (gettext_noop("Urgent notice: %(title)s. Open it and confirm you have read it.")
               if notice.urgent else gettext_noop("New notice: %(title)s"))
    notify_about_all(
        User.objects.filter(resident_account__person__in=Recipient.objects.filter(
            notice=notice).values("person")),
        kind=NOTICE, wording=wording, values={"title": notice.title},
        link=reverse("notices:mine_detail", args=[notice.pk]), actor=notice.sender)


def notices_due(*, by: Actor, now: datetime.datetime | None = None) -> list[Notice]:
    """Publish every scheduled notice whose time has come (`wangge notices-due`, cron),
    each in its own transaction; one already taken by another run is skipped."""
    now = now or timezone.now()
    published = []
    due = Notice.objects.filter(published_at=None, withdrawn_at=None, publish_at__lte=now)
    for pk in due.order_by("publish_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            notice = (Notice.objects.select_for_update(of=("self",)).select_related("sender")
                      .filter(pk=pk, published_at=None, withdrawn_at=None).first())
            if notice is None:
                continue
            try:
                _publish(notice, by=by)
            except ValidationError as error:  # grown past the bound since it was written
                notice.withdrawn_at = timezone.now()
                notice.withdraw_reason = " ".join(error.messages)[:200]
                save_with_history(notice, by=by, reason=_("withdrawn: not published"))
                continue
            published.append(notice)
    return published


def notice_withdraw(*, notice: Notice, by: Actor, reason: str) -> Notice:
    """Withdraw a notice (published or still scheduled): its recipients see it withdrawn,
    with the reason. Its sender may, and anyone who publishes for its whole area."""
    require(by, Action.PUBLISH_NOTICES)
    reason = stated_reason(reason, _("Say why the notice is withdrawn."))[:200]
    if user_of(by) != notice.sender and not is_within(notice.code, by.scope_prefixes):
        raise PermissionDenied(_("Only its sender, or someone who answers for its whole area, "
                                 "may withdraw this notice."))
    if notice.withdrawn_at is not None:
        raise ValidationError(_("This notice was withdrawn already."))
    notice.withdrawn_at, notice.withdrawn_by = timezone.now(), user_of(by)
    notice.withdraw_reason = reason
    save_with_history(notice, by=by, reason=reason)
    return notice


def _own_receipt(notice: Notice, by: Actor) -> Recipient:
    require(by, Action.VIEW_OWN_RECORD)
    person = resident_person(by) if isinstance(by, User) else None
    receipt = (Recipient.objects.filter(notice=notice, person=person).first()
               if person is not None and notice.published_at is not None else None)
    if receipt is None:
        raise PermissionDenied(_("This notice was not sent to you."))
    return receipt


def notice_read(*, notice: Notice, by: Actor) -> Recipient:
    """The resident opened the notice: their receipt is read (the first time only)."""
    receipt = _own_receipt(notice, by)
    if receipt.read_at is None:
        receipt.read_at = timezone.now()
        Recipient.objects.filter(pk=receipt.pk, read_at=None).update(read_at=receipt.read_at)
    return receipt


def notice_acknowledge(*, notice: Notice, by: Actor) -> Recipient:
    """The resident confirms an urgent notice (counted apart from reading it)."""
    receipt = _own_receipt(notice, by)
    if not notice.urgent:
        raise ValidationError(_("Only an urgent notice asks for a confirmation."))
    if notice.withdrawn_at is not None:
        raise ValidationError(_("This notice was withdrawn."))
    now = timezone.now()
    receipt.read_at = receipt.read_at or now
    receipt.acknowledged_at = receipt.acknowledged_at or now
    receipt.save(update_fields=["read_at", "acknowledged_at"])
    return receipt


def recipient_told(*, recipient: Recipient, by: Actor, note: str = "") -> Recipient:
    """A grid worker told a recipient in person (who has not read it online): kept with a
    note, and counted apart from reading."""
    require(by, Action.PUBLISH_NOTICES)
    if not is_within(recipient.grid_code, by.scope_prefixes):
        raise PermissionDenied(_("This resident is outside your jurisdiction."))
    notice = recipient.notice
    note = " ".join(note.split())
    if notice.published_at is None or notice.withdrawn_at is not None:
        raise ValidationError(_("This notice is not (or no longer) published."))
    if recipient.read_at is not None or recipient.told_at is not None:
        raise ValidationError(_("This resident has the notice already."))
    if len(note) > NOTE_CHARACTERS:
        raise ValidationError({"note": _("Keep the note under %(count)s characters.")
                               % {"count": NOTE_CHARACTERS}})
    recipient.told_at, recipient.told_by, recipient.told_note = timezone.now(), user_of(by), note
    recipient.save(update_fields=["told_at", "told_by", "told_note"])
    return recipient
