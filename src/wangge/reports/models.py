"""Report templates: a department's own layout, kept as data and edited by staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ReportTemplate(models.Model):
    """Columns (header, field, format) over a population (filters) of the registry.

    ``columns`` is a list of ``{"header": "姓名", "field": "name", "format": "text"}``; a field
    the registry does not hold is allowed and reported as missing, so a department's real
    form can be entered as it is. ``population`` is a dict of filters (see reports.fields).
    ``form_layout`` keeps the title rows of a department's form saved as a template.
    """

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=50)
    description = models.TextField(_("description"), blank=True)
    # Empty: the persons of the registry; else a source an app registers (reports.sources),
    # such as the lawful measures' ledger.
    source = models.CharField(_("source of the rows"), max_length=50, blank=True)
    population = models.JSONField(_("population"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=list)
    # A department's form saved as a template (reports.fill): what its sheet has above the
    # header row, so the export reproduces the form. ``{"rows": [[cell, ...], ...],
    # "merged": ["A1:H1", ...], "widths": [column width, ...], "heights": [row height or
    # null, ...], "sheet": "Sheet1"}``; empty: the header row is the first.
    form_layout = models.JSONField(_("form layout"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")

    def __str__(self) -> str:
        return f"{self.department}：{self.name}"
