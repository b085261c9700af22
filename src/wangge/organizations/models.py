"""Organizations: party organizations, property companies, social organizations, volunteer
teams, enterprises and departments; their members and the grids they serve."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet


class OrganizationKind(models.TextChoices):
    PARTY = "party", _("Party organization")
    PROPERTY_COMPANY = "property_company", _("Property company")
    SOCIAL = "social", _("Social organization")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    ENTERPRISE = "enterprise", _("Enterprise")
    DEPARTMENT = "department", _("Government department")
    # Answers residents' requests for remote medical help in the grids it serves (care).
    HEALTH_CENTRE = "health_centre", _("Community health centre")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # The division or grid the organization belongs to: the path that scopes it.
    grid_code = models.CharField(_("division or grid code"), max_length=15, db_index=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["grid_code", "name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class ServedGrid(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="served_grids")
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "grid_code"],
                                               name="unique_served_grid")]
        verbose_name = _("served grid")
        verbose_name_plural = _("served grids")

    def __str__(self) -> str:
        return self.grid_code


class Membership(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    person = models.ForeignKey("people.Person", models.CASCADE, related_name="memberships",
                               verbose_name=_("person"))
    title = models.CharField(_("title"), max_length=50, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "person"],
                                               name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"
