"""The populations departments track (特殊人群) and each person's circumstances in them.

A population is data, not code: its fields (text, number, date, choice, person, phone, yes/no)
are rows a department adds in the back office. The built-in ones (older people, people with
disabilities, chronic illness, ...) are shipped the same way (shipped_populations.json), so a
population added later is validated, kept in history, imported and reported exactly like them.
"""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wangge.foundation.codes import ScopedQuerySet
from wangge.people.models import VulnerableTag

KEY = RegexValidator(r"^[a-z][a-z0-9_]*$", _("Lower-case letters, digits and _, starting "
                                             "with a letter."))


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    PERSON = "person", _("Person (a link to their record)")
    PHONE = "phone", _("Phone")
    YES_NO = "yes_no", _("Yes or no")


class Check(models.TextChoices):
    """Rules a field may add to its kind's, by name (populations.values)."""

    DISABILITY_CERTIFICATE = "disability_certificate", _(
        "Disability certificate number (the holder's ID, category and grade)")


class Population(models.Model):
    key = models.CharField(_("code"), max_length=40, unique=True, validators=[KEY])
    name = models.CharField(_("name"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    # Who keeps this population (民政, 残联, 卫健, ...), shown beside it.
    department = models.CharField(_("department"), max_length=50, blank=True)
    # Shipped with wangge: its fields are kept by the shipped file, not edited by hand.
    built_in = models.BooleanField(_("built in"), default=False, editable=False)
    # Membership gives the person this vulnerable-group tag (when ``tag_field`` is empty or
    # holds ``tag_value``), so the counts that read tags (drills, supply requests) see it.
    tag = models.CharField(_("vulnerable-group tag"), max_length=20, blank=True,
                           choices=VulnerableTag.choices)
    tag_field = models.CharField(_("tag only when this field"), max_length=40, blank=True)
    tag_value = models.CharField(_("holds this value"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("population")
        verbose_name_plural = _("populations")

    def __str__(self) -> str:
        return self.name


class PopulationField(models.Model):
    population = models.ForeignKey(Population, models.CASCADE, related_name="fields")
    key = models.CharField(_("code"), max_length=40, validators=[KEY])
    label = models.CharField(_("label"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=FieldKind.choices)
    # A choice field's choices, one per line as "code=label" (or just the label).
    choices = models.TextField(_("choices"), blank=True)
    required = models.BooleanField(_("required"), default=False)
    check_rule = models.CharField(_("check"), max_length=30, blank=True, choices=Check.choices)
    # Other words departments use for this column (one per line), for imports and forms.
    synonyms = models.TextField(_("other headers"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0,
                                                validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["population", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["population", "key"],
                                               name="population_field_key_unique")]
        verbose_name = _("field")
        verbose_name_plural = _("fields")

    def __str__(self) -> str:
        return f"{self.population.key}.{self.key}"

    def choice_list(self) -> list[tuple[str, str]]:
        """The choices as (code, label) pairs."""
        pairs = []
        for line in self.choices.splitlines():
            code, _sep, label = line.strip().partition("=")
            if code:
                pairs.append((code.strip(), (label or code).strip()))
        return pairs


class CircumstanceQuerySet(ScopedQuerySet):
    scope_field = "person__grid_code"


class Circumstance(models.Model):
    """A person's membership of a population, with the values of its fields.

    ``values`` maps a field's key to its value as JSON: text, a number, an ISO date, a choice's
    code, a person's id (a link, never a copied name), a normalised phone, true/false. One
    current membership per person and population; an ended one keeps ``ended_on``."""

    person = models.ForeignKey("people.Person", models.CASCADE, related_name="circumstances")
    population = models.ForeignKey(Population, models.PROTECT, related_name="circumstances")
    values = models.JSONField(_("values"), default=dict, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = CircumstanceQuerySet.as_manager()

    class Meta:
        ordering = ["population__name"]
        constraints = [models.UniqueConstraint(
            fields=["person", "population"], condition=models.Q(ended_on=None),
            name="one_current_circumstance")]
        indexes = [models.Index(fields=["population", "ended_on"])]
        verbose_name = _("circumstance")
        verbose_name_plural = _("circumstances")

    def __str__(self) -> str:
        return f"{self.person_id} · {self.population}"
