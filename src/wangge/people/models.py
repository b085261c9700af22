"""People: one record per person (一人一档), their households, and their moves."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet
from wangge.normalisers import DocumentType


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")
    FLOATING = "floating", _("Floating population")
    RENTING = "renting", _("Renting")
    AWAY = "away", _("Registered but living away")


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    CHRONIC = "chronic", _("Chronic illness")
    SERIOUS = "serious", _("Serious illness")
    DISABLED = "disabled", _("Disability")
    UNKNOWN = "unknown", _("Unknown")


class VulnerableTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly living alone")
    DISABLED = "disabled", _("Disabled")
    CHRONICALLY_ILL = "chronically_ill", _("Chronically ill")
    PREGNANT = "pregnant", _("Pregnant")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Child left behind")
    LOW_INCOME = "low_income", _("Low income")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other")


class Household(models.Model):
    number = models.CharField(_("household number"), max_length=30, blank=True)
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    dwelling = models.ForeignKey("places.Dwelling", models.PROTECT, null=True, blank=True,
                                 related_name="households", verbose_name=_("dwelling"))
    head = models.ForeignKey("Person", models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("head of household"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number or _("Household %(id)s") % {"id": self.pk}


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50)
    document_type = models.CharField(_("document type"), max_length=20,
                                     choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    residence_type = models.CharField(_("residence type"), max_length=12,
                                      choices=ResidenceType.choices,
                                      default=ResidenceType.REGISTERED)
    occupation = models.CharField(_("occupation"), max_length=50, blank=True)
    health_status = models.CharField(_("health status"), max_length=10,
                                     choices=HealthStatus.choices, default=HealthStatus.UNKNOWN)
    vulnerable_tags = models.JSONField(_("vulnerable groups"), default=list, blank=True)
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    dwelling = models.ForeignKey("places.Dwelling", models.PROTECT, null=True, blank=True,
                                 related_name="residents", verbose_name=_("dwelling"))
    household = models.ForeignKey(Household, models.SET_NULL, null=True, blank=True,
                                  related_name="members", verbose_name=_("household"))
    relationship = models.CharField(_("relationship to head"), max_length=12,
                                    choices=Relationship.choices, blank=True)
    # Set when record linkage merged this record into another (linkage.services.person_merge);
    # such a record is kept, with its history, but no longer shown or searched.
    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True,
                                    related_name="absorbed", verbose_name=_("merged into"))
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # History is read by person (its id), date and user (the demo's reset aside, which scans
    # it); every other index on it would be kept up to date on each import for nothing.
    history = HistoricalRecords(no_db_index=["grid_code", "dwelling", "household", "merged_into"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        # Phones are found by equality only: a plain index, not db_index's second one for LIKE.
        indexes = [models.Index(fields=["name"]), models.Index(fields=["id_number"]),
                   models.Index(fields=["phone"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "id_number"], condition=~Q(id_number=""),
                name="one_record_per_document",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PersonMove(models.Model):
    """A transfer of the same person to another dwelling or grid (never a new record)."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="moves")
    from_grid_code = models.CharField(max_length=15)
    to_grid_code = models.CharField(max_length=15)
    from_dwelling = models.ForeignKey("places.Dwelling", models.SET_NULL, null=True,
                                      related_name="+")
    to_dwelling = models.ForeignKey("places.Dwelling", models.SET_NULL, null=True,
                                    related_name="+")
    moved_on = models.DateField(_("moved on"))
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                           related_name="+")
    recorded = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-moved_on", "-id"]
        verbose_name = _("move")
        verbose_name_plural = _("moves")

    def __str__(self) -> str:
        return f"{self.person}: {self.from_grid_code} → {self.to_grid_code} ({self.moved_on})"
