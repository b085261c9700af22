"""The emergency resource database (应急资源库): materials in depots, shelters, utilities,
providers of temporary food and lodging, and the people and vehicles that can be called.

Data only. Writes go through ``services`` (``resource_checked`` holds the rules), reads through
``selectors``; every record carries the code that scopes it (a material its depot's) and keeps
its history with who and why.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet
from wangge.places.models import Located

# Words that mean something else elsewhere: a unit of measure, not a building's unit; the
# organization a record belongs to, not a person in charge.
UNIT = pgettext_lazy("quantity", "unit")
OWNER = pgettext_lazy("organization", "owner")


class MaterialCategory(models.Model):
    """The same categories everywhere (migration 0002), so reserves add up across areas."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("material category")
        verbose_name_plural = _("material categories")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """Who answers for a place or a vehicle (the phone masked by role, like a person's)."""

    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        abstract = True


class Depot(Located, Contact):
    """A store of emergency materials (储备点)."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey("organizations.Organization", models.PROTECT,
                              related_name="depots", verbose_name=OWNER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("depot")
        verbose_name_plural = _("depots")
        constraints = [models.UniqueConstraint(fields=["name", "address"],
                                               name="one_depot_per_name_and_address")]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """A stock line: one item of one expiry date in one unit at one depot."""

    depot = models.ForeignKey(Depot, models.PROTECT, related_name="materials",
                              verbose_name=_("depot"))
    # The depot's code, copied so that materials are scoped like every record.
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True, editable=False)
    category = models.ForeignKey(MaterialCategory, models.PROTECT, related_name="materials",
                                 verbose_name=_("category"))
    item = models.CharField(_("item"), max_length=100)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    unit = models.CharField(UNIT, max_length=20)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    owner = models.ForeignKey("organizations.Organization", models.PROTECT,
                              related_name="materials", verbose_name=OWNER)
    low_stock_threshold = models.DecimalField(_("low-stock threshold"), max_digits=14,
                                              decimal_places=2, default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "depot_id", "category__order", "item", "expires_on"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="material_not_negative"),
            models.CheckConstraint(condition=Q(low_stock_threshold__gte=0),
                                   name="material_threshold_not_negative"),
            models.UniqueConstraint(fields=["depot", "item", "unit", "expires_on"],
                                    condition=Q(expires_on__isnull=False),
                                    name="one_material_line_per_batch"),
            models.UniqueConstraint(fields=["depot", "item", "unit"],
                                    condition=Q(expires_on__isnull=True),
                                    name="one_material_line_without_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity.normalize():f}{self.unit}"


class Shelter(Located, Contact):
    """A place people go to when they must leave home (避难场所)."""

    name = models.CharField(_("name"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    occupancy = models.PositiveIntegerField(_("current occupancy"), default=0)
    drinking_water = models.BooleanField(_("drinking water"), default=False)
    power = models.BooleanField(_("power"), default=False)
    lighting = models.BooleanField(_("lighting"), default=False)
    toilets = models.BooleanField(_("toilets"), default=False)
    step_free = models.BooleanField(_("step-free access"), default=False)
    owner = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                              blank=True, related_name="shelters", verbose_name=OWNER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        constraints = [
            models.UniqueConstraint(fields=["name", "address"],
                                    name="one_shelter_per_name_and_address"),
            models.CheckConstraint(condition=Q(occupancy__lte=F("capacity")),
                                   name="shelter_occupancy_within_capacity"),
        ]

    def __str__(self) -> str:
        return self.name


class UtilityKind(models.TextChoices):
    WATER = "water", _("Water point")
    POWER = "power", _("Power point")
    LIGHTING = "lighting", _("Emergency lighting")
    TOILETS = "toilets", _("Toilets")


class Utility(Located, Contact):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=UtilityKind.choices)
    in_service = models.BooleanField(_("in service"), default=True)
    owner = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                              blank=True, related_name="utilities", verbose_name=OWNER)
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "kind", "name"]
        verbose_name = _("utility")
        verbose_name_plural = _("utilities")

    def __str__(self) -> str:
        return self.name


class ProviderKind(models.TextChoices):
    FOOD = "food", _("Temporary food")
    LODGING = "lodging", _("Temporary lodging")


class Provider(Located, Contact):
    """A provider of temporary food (capacity: meals a day) or lodging (capacity: beds)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ProviderKind.choices)
    capacity = models.PositiveIntegerField(_("capacity (meals a day or beds)"))
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="providers",
                                     verbose_name=_("organization"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["grid_code", "kind", "name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class CallablePerson(models.Model):
    """Someone who can be called in an emergency (a doctor, an electrician, a driver)."""

    name = models.CharField(_("name"), max_length=50)
    skills = models.CharField(_("skills"), max_length=200)
    contact_phone = models.CharField(_("phone"), max_length=20)
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    organization = models.ForeignKey("organizations.Organization", models.PROTECT, null=True,
                                     blank=True, related_name="callable_people",
                                     verbose_name=_("organization"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("person on call")
        verbose_name_plural = _("people on call")

    def __str__(self) -> str:
        return self.name


class Vehicle(Contact):
    """A vehicle that can be called; its contact is the driver."""

    kind = models.CharField(_("kind"), max_length=50)
    plate = models.CharField(_("plate"), max_length=12, unique=True)
    capacity = models.CharField(_("capacity"), max_length=50, blank=True,
                                help_text=_("Seats or load, as written (7座, 2吨)."))
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    owner = models.ForeignKey("organizations.Organization", models.PROTECT,
                              related_name="vehicles", verbose_name=OWNER)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.plate


class Condition(models.TextChoices):
    LOW_STOCK = "low_stock", _("Low stock")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")


class StockAlert(models.Model):
    """A condition of a material its owner's staff were told of; open while it lasts."""

    material = models.ForeignKey(Material, models.CASCADE, related_name="alerts",
                                 verbose_name=_("material"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("stock alert")
        verbose_name_plural = _("stock alerts")
        constraints = [models.UniqueConstraint(fields=["material", "condition"],
                                               condition=Q(closed_at__isnull=True),
                                               name="one_open_alert_per_condition")]

    def __str__(self) -> str:
        return f"{self.material_id} {self.condition}"


# ---- allocation of scarce supplies (供需调配) ---------------------------------------------

class Urgency(models.TextChoices):
    """How soon a grid needs what it asks for; each is a priority of the allocation (1 is
    served first)."""

    CRITICAL = "critical", _("Critical: lives or health at stake")
    URGENT = "urgent", _("Urgent: needed today")
    ROUTINE = "routine", _("Routine")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PLANNED = "planned", _("Planned")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class SupplyRequest(models.Model):
    """A grid's request for supplies: what (an item of a category, in a unit), how much, how
    urgent; for vulnerable residents it is served first (priority 1)."""

    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    category = models.ForeignKey(MaterialCategory, models.PROTECT,
                                 related_name="supply_requests", verbose_name=_("category"))
    item = models.CharField(_("item"), max_length=100)
    unit = models.CharField(UNIT, max_length=20)
    quantity = models.PositiveIntegerField(_("quantity"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    for_vulnerable = models.BooleanField(_("for vulnerable residents"), default=False)
    priority = models.PositiveSmallIntegerField(_("priority"), editable=False)
    why = models.CharField(_("why it is needed"), max_length=200)
    requested_by = models.ForeignKey("access.User", models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "requested_at", "id"]
        verbose_name = _("supply request")
        verbose_name_plural = _("supply requests")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0),
                                              name="supply_request_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}{self.unit}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", pgettext_lazy("allocation", "Confirmed")


class AllocationRun(models.Model):
    """One allocation over the open requests and the depots of a jurisdiction (``grid_code``,
    a division or grid code), kept with its plan: the shipments, the unmet lines with their
    why (``unmet``: request id, item, quantity, why) and the objective."""

    grid_code = models.CharField(_("jurisdiction"), max_length=15, db_index=True)
    run_by = models.ForeignKey("access.User", models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("run by"))
    run_at = models.DateTimeField(_("run at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.DRAFT)
    weighted_unmet = models.PositiveBigIntegerField(_("weighted unmet quantity"), default=0)
    transport_km = models.FloatField(_("transport (unit·km)"), default=0)
    unmet = models.JSONField(_("unmet lines"), default=list, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-run_at", "-id"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")

    def __str__(self) -> str:
        return _("Allocation %(id)s") % {"id": self.pk}


class Shipment(models.Model):
    """A line of a run's plan: a depot sends a quantity to a request. Changed by hand only
    before the plan is confirmed (the history keeps who and why)."""

    run = models.ForeignKey(AllocationRun, models.CASCADE, related_name="shipments",
                            verbose_name=_("allocation run"))
    depot = models.ForeignKey(Depot, models.PROTECT, related_name="shipments",
                              verbose_name=_("depot"))
    request = models.ForeignKey(SupplyRequest, models.PROTECT, related_name="shipments",
                                verbose_name=_("request"))
    quantity = models.PositiveIntegerField(_("quantity"))
    # The run's jurisdiction, copied so that shipments are scoped like their run.
    grid_code = models.CharField(_("jurisdiction"), max_length=15, db_index=True,
                                 editable=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["request_id", "depot_id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [models.UniqueConstraint(fields=["run", "depot", "request"],
                                               name="one_shipment_per_depot_and_request")]

    def __str__(self) -> str:
        return f"{self.depot} → {self.request}: {self.quantity}"


class DispatchStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")


class DispatchOrder(models.Model):
    """A confirmed shipment, tracked to delivery: dispatching takes the stock out of the
    depot; the receiving grid confirms delivery. Scoped by the receiving grid."""

    run = models.ForeignKey(AllocationRun, models.PROTECT, related_name="dispatch_orders",
                            verbose_name=_("allocation run"))
    depot = models.ForeignKey(Depot, models.PROTECT, related_name="dispatch_orders",
                              verbose_name=_("depot"))
    request = models.ForeignKey(SupplyRequest, models.PROTECT, related_name="dispatch_orders",
                                verbose_name=_("request"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True, editable=False)
    item = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))
    status = models.CharField(_("status"), max_length=10, choices=DispatchStatus.choices,
                              default=DispatchStatus.PLANNED)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("dispatch order")
        verbose_name_plural = _("dispatch orders")

    def __str__(self) -> str:
        return f"{self.depot} → {self.request}: {self.quantity}"
