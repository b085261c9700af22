"""Forms of the pages. They only collect input; rules live in the services they feed."""

from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import fields_for_model, model_to_dict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from wangge.access.models import User
from wangge.auditlog.models import Kind, Purpose
from wangge.auditlog.services import purpose_text
from wangge.foundation.permissions import SensitiveField, sees_unmasked
from wangge.people.models import Person, VulnerableTag
from wangge.people.services import EDITABLE_FIELDS

# What a grid worker corrects most often comes first; identity fields last.
FIELD_ORDER = [
    "phone", "residence_type", "occupation", "health_status", "vulnerable_tags", "name",
    "ethnicity", "document_type", "id_number", "sex", "birth_date",
]


class PersonForm(forms.Form):
    """Correct a person's editable fields, with the reason kept in the history. A field the
    user sees masked is left out: nobody edits a value they may not read."""

    def __init__(self, *args: Any, person: Person, user: User, **kwargs: Any) -> None:
        names = _editable_by(user)
        super().__init__(*args, initial=model_to_dict(person, fields=names), **kwargs)
        fields = fields_for_model(
            Person, fields=[name for name in names if name != "vulnerable_tags"],
            widgets={
                "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                "birth_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            },
        )
        if "name" in fields:
            # The model's "name" label is shared with places; for a person it is 姓名.
            fields["name"].label = _("Full name")
        if "vulnerable_tags" in names:
            fields["vulnerable_tags"] = forms.MultipleChoiceField(
                label=Person._meta.get_field("vulnerable_tags").verbose_name,
                choices=VulnerableTag.choices, required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        # Required by person_update, which reports it together with the fields' errors.
        fields["reason"] = forms.CharField(
            label=_("Reason for this change"), max_length=200, required=False,
            help_text=_("Kept in the record's history, with your name and the time."),
        )
        self.fields = {name: fields[name] for name in [*names, "reason"]}

    def changes(self) -> dict[str, Any]:
        """The fields whose submitted value differs from the record's."""
        return {
            name: value for name, value in self.cleaned_data.items()
            if name != "reason" and _comparable(value) != _comparable(self.initial.get(name))
        }


def _editable_by(user: User) -> list[str]:
    masked = {field.value for field in SensitiveField if not sees_unmasked(user, field)}
    ordered = FIELD_ORDER + sorted(EDITABLE_FIELDS - set(FIELD_ORDER))
    return [name for name in ordered if name in EDITABLE_FIELDS and name not in masked]


def _comparable(value: Any) -> Any:
    # Tags arrive in form order and are stored sorted; empty text and None mean the same.
    if isinstance(value, list | tuple):
        return sorted(value)
    return value if value not in (None, "") else ""


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, phone or ID number"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                      "placeholder": _("Name, phone or ID number")}),
    )


class UploadForm(forms.Form):
    """A department's file to import; the kinds offered are those the user may import."""

    file = forms.FileField(label=_("File (xlsx, xls or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}))
    kind = forms.ChoiceField(label=_("What the file lists"))
    department = forms.CharField(label=_("Department the file comes from"), max_length=50,
                                 required=False,
                                 help_text=_("Kept with every change in the history."))
    partial = forms.TypedChoiceField(
        label=_("If some rows are rejected"), coerce=lambda value: value == "1", initial="0",
        widget=forms.RadioSelect, choices=[
            ("0", _("write nothing, so the file can be fixed and sent again")),
            ("1", _("write the valid rows and list the rejected ones")),
        ])

    def __init__(self, *args: Any, kinds: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds.items())


class PurposeForm(forms.Form):
    """Why personal data is read, chosen from the list or typed (kept in the access log)."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices,
                                widget=forms.RadioSelect)
    purpose_words = forms.CharField(
        label=_("In your own words"), max_length=200, required=False,
        help_text=_("Required for \"Other\"; kept in the access log with your name."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("purpose") == Purpose.OTHER and not cleaned.get("purpose_words",
                                                                        "").strip():
            self.add_error("purpose_words", _("Say what the purpose is."))
        return cleaned

    def stated_purpose(self) -> str:
        return purpose_text(self.cleaned_data["purpose"], self.cleaned_data["purpose_words"])


class RevealForm(PurposeForm):
    """Asked before a full ID number is shown."""


class ReportDownloadForm(PurposeForm):
    """Which part of the jurisdiction a report covers, its file format, and why."""

    scope = forms.ChoiceField(label=_("Area"))
    format = forms.ChoiceField(label=_("File format"), widget=forms.RadioSelect, initial="xlsx",
                               choices=[("xlsx", _("Excel (xlsx)")),
                                        ("csv", _("CSV (opens in Excel)"))])

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = areas
        # Asked for by the download (the export view checks it), not by "What is missing".
        self.fields["purpose"].required = False
        # The purpose comes last, next to the button.
        self.order_fields(["scope", "format", "purpose", "purpose_words"])


class AccessLogSearchForm(forms.Form):
    """The auditor's search of the access and security log."""

    username = forms.CharField(label=_("User"), max_length=150, required=False)
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Any")), *Kind.choices])
    purpose = forms.CharField(label=_("Purpose contains"), max_length=100, required=False)
    term = forms.CharField(label=_("Searched for (ID number or phone)"), max_length=40,
                           required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The last day comes before the first."))
        return cleaned


class FormToFill(forms.Form):
    """A department's blank form to fill, and the part of the jurisdiction it covers."""

    file = forms.FileField(label=_("The department's blank form (xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    scope = forms.ChoiceField(label=_("Area"))

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = areas

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.WANGGE_FORM_MAX_MB
        if upload.size > limit << 20:
            raise forms.ValidationError(
                _("The form is %(size)s; a form to fill may be at most %(limit)d MB.")
                % {"size": filesizeformat(upload.size), "limit": limit})
        return upload


class FilledFormDownload(PurposeForm):
    """The filled form's download: the form as recognised (signed), its area, and why."""

    form = forms.CharField(widget=forms.HiddenInput)
    scope = forms.CharField(widget=forms.HiddenInput)


class FormAsTemplate(forms.Form):
    """A recognised form kept as a report template."""

    form = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    department = forms.CharField(label=_("Department"), max_length=50)
    slug = forms.SlugField(label=_("Code"), max_length=50,
                           help_text=_("Letters, digits and hyphens, e.g. disability-survey."))
