"""Needs and offers (供需对接): what a grid needs (goods, a service, time) and what social
organizations, businesses and donors offer, on one board per jurisdiction; a match of the two
(a quantity, a person responsible, a delivery confirmed); and donations, recorded with donor,
item, quantity and where they went, shown publicly only in aggregate.

Quantities are whole numbers. A need's ``matched`` counts what matches still under way and
delivered matches hold of it, ``delivered`` what arrived; an offer's ``committed`` and
``delivered`` the same of it. Services keep them in step under a row lock (``services.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet

# The most of anything one need, offer, match or donation counts.
MOST = 100_000
UNIT = pgettext_lazy("quantity", "unit")


class Kind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("A service")
    TIME = "time", _("Time (volunteering)")


class Category(models.TextChoices):
    FOOD = "food", _("Food")
    DAILY_NECESSITIES = "daily_necessities", _("Daily necessities")
    MEDICAL_SUPPLIES = "medical_supplies", _("Medical supplies")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    CHILDCARE = "childcare", _("Childcare")
    REPAIRS = "repairs", _("Repairs")
    TUTORING = "tutoring", _("Tutoring")
    COMPANIONSHIP = "companionship", _("Companionship")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_MATCHED = "partly_matched", _("Partly matched")
    MATCHED = "matched", _("Matched")
    DELIVERED = "delivered", _("Delivered")
    CLOSED = "closed", _("Closed")


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TAKEN = "taken", _("All taken")
    CLOSED = "closed", _("Closed")


class MatchStatus(models.TextChoices):
    ASSIGNED = "assigned", _("To deliver")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


def _bounded(name: str, *fields: str) -> models.CheckConstraint:
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__gte": 0, f"{field}__lte": MOST})
    return models.CheckConstraint(condition=condition, name=name)


class Need(models.Model):
    """What a grid needs. ``description`` is the public text staff write (never a person's
    health or circumstances); the event or care visit it came from is an internal link, seen
    only through the scoped selectors of those records."""

    grid_code = models.CharField(_("grid code"), max_length=15)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    item = models.CharField(_("item"), max_length=60)
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(UNIT, max_length=20)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=NeedStatus.choices,
                              default=NeedStatus.OPEN)
    event = models.ForeignKey("events.Event", models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("from event"))
    care_visit = models.ForeignKey("care.CareVisit", models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("from care visit"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("posted by"))
    posted_at = models.DateTimeField(_("posted at"))
    close_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["grid_code", "status"], name="need_grid_status"),
                   models.Index(fields=["kind", "category", "status"], name="need_kind")]
        constraints = [
            _bounded("need_quantities_bounded", "quantity", "matched", "delivered"),
            models.CheckConstraint(condition=Q(matched__lte=F("quantity"),
                                               delivered__lte=F("matched")),
                                   name="need_never_over_matched"),
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.item} ×{self.quantity}{self.unit}"

    @property
    def remaining(self) -> int:
        """What no match holds yet."""
        return self.quantity - self.matched


class OfferQuerySet(ScopedQuerySet):
    """Scoped by the area an offer serves (``area_code``)."""

    scope_field = "area_code"


class Offer(models.Model):
    """What an organization of the registry or a named donor (a person or a business) offers
    to the needs of an area: a grid or division code in the jurisdiction of whoever recorded
    it. ``donor_contact`` is shown masked to roles that see phones masked; ``named_publicly``:
    the donor agreed to be named on the public donations page."""

    area_code = models.CharField(_("area served"), max_length=15)
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organization"))
    donor_name = models.CharField(_("donor"), max_length=100, blank=True)
    donor_contact = models.CharField(_("donor's contact"), max_length=20, blank=True)
    named_publicly = models.BooleanField(_("may be named publicly"), default=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    item = models.CharField(_("item"), max_length=60)
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity available"))
    unit = models.CharField(UNIT, max_length=20)
    committed = models.PositiveIntegerField(_("committed"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices,
                              default=OfferStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    close_reason = models.CharField(_("why closed"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = OfferQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["area_code", "status"], name="offer_area_status"),
                   models.Index(fields=["kind", "category", "status"], name="offer_kind")]
        constraints = [
            _bounded("offer_quantities_bounded", "quantity", "committed", "delivered"),
            models.CheckConstraint(condition=Q(committed__lte=F("quantity"),
                                               delivered__lte=F("committed")),
                                   name="offer_never_over_committed"),
        ]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return f"{self.donor} · {self.item} ×{self.quantity}{self.unit}"

    @property
    def donor(self) -> str:
        return self.organization.name if self.organization is not None else self.donor_name

    @property
    def remaining(self) -> int:
        return self.quantity - self.committed


class Match(models.Model):
    """Part of an offer given to a need: a delivery task for ``assignee``, confirmed by the
    grid worker of the need's grid or the need's poster with the quantity delivered."""

    need = models.ForeignKey(Need, models.PROTECT, related_name="matches",
                             verbose_name=_("need"))
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="matches",
                              verbose_name=_("offer"))
    grid_code = models.CharField(_("grid code"), max_length=15)  # the need's
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices,
                              default=MatchStatus.ASSIGNED)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT,
                                 related_name="+", verbose_name=_("person responsible"))
    matched_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("matched by"))
    matched_at = models.DateTimeField(_("matched at"))
    delivered_quantity = models.PositiveIntegerField(_("quantity delivered"), default=0)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("delivery confirmed by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-matched_at", "-id"]
        indexes = [models.Index(fields=["grid_code", "status"], name="match_grid_status"),
                   models.Index(fields=["assignee", "status"], name="match_assignee")]
        constraints = [
            _bounded("match_quantities_bounded", "quantity", "delivered_quantity"),
            models.CheckConstraint(condition=Q(quantity__gte=1,
                                               delivered_quantity__lte=F("quantity")),
                                   name="match_delivers_at_most_its_quantity"),
        ]
        verbose_name = _("match")
        verbose_name_plural = _("matches")

    def __str__(self) -> str:
        return f"{self.offer_id} → {self.need_id} ×{self.quantity}"


class DonationQuerySet(ScopedQuerySet):
    """Scoped by where a donation went (``code``)."""

    scope_field = "code"


class Donation(models.Model):
    """A gift recorded: by a delivered match of a donor's offer, or directly. ``code`` is
    where it went (a grid, or a community); the public page adds them up and names a donor
    only when ``named_publicly``."""

    code = models.CharField(_("went to (grid or community)"), max_length=15)
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("organization"))
    donor_name = models.CharField(_("donor"), max_length=100)
    named_publicly = models.BooleanField(_("may be named publicly"), default=False)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    item = models.CharField(_("item"), max_length=60)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(UNIT, max_length=20)
    donated_on = models.DateField(_("donated on"))
    need = models.ForeignKey(Need, models.PROTECT, null=True, blank=True,
                             related_name="donations", verbose_name=_("need"))
    match = models.OneToOneField(Match, models.PROTECT, null=True, blank=True,
                                 related_name="donation", verbose_name=_("match"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    objects = DonationQuerySet.as_manager()

    class Meta:
        ordering = ["-donated_on", "-id"]
        indexes = [models.Index(fields=["code", "donated_on"], name="donation_code_on")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1, quantity__lte=MOST),
                                   name="donation_quantity_bounded"),
        ]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")

    def __str__(self) -> str:
        return f"{self.donor_name} · {self.item} ×{self.quantity}{self.unit}"
