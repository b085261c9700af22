"""The address queue: person rows whose address named no single building wait here (with
``--partial`` and on the upload page) until staff pick the building. The choice is kept as the
building's alias, so the next list that writes the address the same way is placed by itself,
and every waiting row that now resolves lands at once."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.foundation.actors import Actor, SystemActor, user_of
from wangge.foundation.codes import PREFIX_LENGTH, is_within
from wangge.foundation.permissions import Action, can, require
from wangge.places.addresses import Refusal
from wangge.places.models import Building
from wangge.places.services import building_alias_add
from wangge.spreadsheets import cell_text

from .models import QueuedRow
from .persons import PersonKind
from .rows import Row, RowError


def _shared_prefix(codes: list[str]) -> str:
    """The jurisdiction the codes share, cut to a level's prefix (420102001001002 and
    420102002001001 share 420102, the district)."""
    shared = min(codes, default="")
    for code in codes:
        while not code.startswith(shared):
            shared = shared[:-1]
    length = max(length for length in (0, *PREFIX_LENGTH.values(), 15)
                 if length <= len(shared))
    return shared[:length]


def queued_row_add(*, row: Row, refusal: Refusal, source: str, by: Actor) -> QueuedRow:
    """Keep ``row`` waiting, filed under the narrowest code known for it: its grid cell, else
    what its candidates' grids share, else its importer's jurisdiction."""
    grid_code = cell_text(row.values.get("grid_code"))
    if not grid_code:
        grid_code = _shared_prefix(list(Building.objects.filter(
            pk__in=[pk for pk, _name in refusal.candidates]).values_list("grid_code", flat=True)))
    if not is_within(grid_code, by.scope_prefixes):
        grid_code = _shared_prefix(list(by.scope_prefixes))
    return QueuedRow.objects.create(
        user=user_of(by), grid_code=grid_code[:15], source=source[:300],
        row_number=row.number, address=cell_text(row.values.get("address"))[:200],
        values={name: cell_text(value) for name, value in row.values.items()},
        candidates=[list(candidate) for candidate in refusal.candidates],
        reason=refusal.message,
    )


def queued_rows_visible_to(user: Actor) -> QuerySet[QueuedRow]:
    """The waiting rows filed within the user's jurisdiction, for those who may place them."""
    if not isinstance(user, SystemActor) and not can(user, Action.PLACE_ADDRESSES):
        return QueuedRow.objects.none()
    return QueuedRow.objects.in_scope(user.scope_prefixes)


@transaction.atomic
def queued_row_place(*, queued: QueuedRow, building: Building, by: Actor) -> int:
    """Place ``queued`` in ``building``: the address as written becomes the building's alias,
    and every waiting row in the caller's jurisdiction that now resolves lands. Returns how
    many rows landed; raises ValidationError when the row's own dwelling is not there."""
    require(by, Action.PLACE_ADDRESSES)
    require(by, Action.EDIT_PEOPLE)
    if not queued_rows_visible_to(by).filter(pk=queued.pk).exists():
        raise PermissionDenied
    if not is_within(building.grid_code, [queued.grid_code]):
        raise ValidationError({"building": _(
            "This building is not where the row's list places it; choose one of its "
            "candidates.")})
    handler = PersonKind(by)
    text = handler.addresses.key_of(queued.address)
    alias = building_alias_add(building=building, text=text, by=by,
                               reason=_("Chosen for %(address)s") % {"address": queued.address})
    handler.addresses.learn(text, building.pk)
    # Only this row is checked first: a choice that does not place it is refused, undone.
    if not _land(handler, queued):
        raise ValidationError({"building": queued.reason})
    landed = 1
    for waiting in queued_rows_visible_to(by).exclude(pk=queued.pk).order_by("id"):
        if handler.addresses.key_of(waiting.address) == alias.text:
            landed += _land(handler, waiting)
    return landed


def _land(handler: PersonKind, queued: QueuedRow) -> bool:
    """Write one waiting row through the person import; on a refusal it keeps waiting, with
    the new reason."""
    row = Row(number=queued.row_number, cells=[], values=dict(queued.values))
    try:
        prepared = handler.prepare(row)
        [outcome] = handler.write([(row, prepared)], reason=queued.source)
    except RowError as error:  # an AddressUnplacedError too
        outcome = error
    if isinstance(outcome, RowError):
        queued.reason = " ".join(message for messages in outcome.errors.values()
                                 for message in messages)
        queued.save(update_fields=["reason"])
        return False
    queued.delete()
    return True


def queued_rows_purge() -> int:
    """Delete rows waiting longer than WANGGE_UPLOAD_RETENTION_DAYS: they hold a department's
    personal data as sent, kept no longer than the upload itself."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.WANGGE_UPLOAD_RETENTION_DAYS)
    deleted, _by_model = QueuedRow.objects.filter(created__lt=cutoff).delete()
    return deleted
