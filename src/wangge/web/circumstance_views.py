"""A person's circumstances (特殊人群) on their page: record or change one population's
values, or end it. The form is built from the population's fields (populations.models), so a
population a department added in the back office gets its page with no code."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.access.decorators import action_required
from wangge.foundation.permissions import Action
from wangge.foundation.requests import SignedInRequest
from wangge.people.models import Person
from wangge.people.selectors import persons_visible_to
from wangge.populations.models import Circumstance, FieldKind, Population, PopulationField
from wangge.populations.selectors import circumstances_visible_to, sees_circumstances
from wangge.populations.services import circumstance_end, circumstance_save

from .selectors import trail

OTHER = "other"
# A date input shows its value only in ISO form.
DAY = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _form_field(field: PopulationField, household: list[Person]) -> forms.Field:
    """The form field for a population's field; a person is one of the household or, named
    by their ID number, anyone in the registry."""
    common: dict[str, Any] = {"label": field.label, "required": False}
    if field.kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=12, decimal_places=2, **common)
    if field.kind == FieldKind.DATE:
        return forms.DateField(widget=DAY, **common)
    if field.kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *field.choice_list()], **common)
    if field.kind == FieldKind.YES_NO:
        return forms.ChoiceField(choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                                 **common)
    if field.kind == FieldKind.PERSON:
        return forms.ChoiceField(choices=[("", "—"), *((str(p.pk), p.name) for p in household),
                                          (OTHER, _("Someone else (their ID number below)"))],
                                 **common)
    if field.kind == FieldKind.PHONE:
        return forms.CharField(max_length=20, widget=forms.TextInput(attrs={
            "inputmode": "tel"}), **common)
    return forms.CharField(max_length=200, **common)


class CircumstanceForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Since"), required=False, widget=DAY)
    reason = forms.CharField(label=gettext_lazy("Reason for this change"), max_length=200)

    def __init__(self, *args: Any, population: Population, household: list[Person],
                 current: Circumstance | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.population_fields = list(population.fields.all())
        known = {str(p.pk) for p in household}
        initial = dict(current.values) if current else {}
        for field in self.population_fields:
            self.fields[field.key] = _form_field(field, household)
            value = initial.get(field.key)
            if field.kind == FieldKind.PERSON:
                self.fields[f"{field.key}__id"] = forms.CharField(
                    label=_("%(label)s: ID number") % {"label": field.label}, required=False,
                    max_length=18)
                value = "" if value is None else (str(value) if str(value) in known else OTHER)
            elif field.kind == FieldKind.YES_NO and value is not None:
                value = "yes" if value else "no"
            self.fields[field.key].initial = value
        if current:
            self.fields["since"].initial = current.since
        self.order_fields([*(f.key for f in self.population_fields), "since", "reason"])
        self.current = current

    def values(self) -> dict[str, Any]:
        """The values as the service takes them; a linked person left as "someone else"
        with no new number keeps the one linked before."""
        given: dict[str, Any] = {}
        before = self.current.values if self.current else {}
        for field in self.population_fields:
            value = self.cleaned_data.get(field.key)
            if field.kind == FieldKind.PERSON:
                if value == OTHER:
                    value = self.cleaned_data.get(f"{field.key}__id") or before.get(field.key)
                elif value:
                    value = int(value)
            given[field.key] = value
        return given


def _household(person: Person, user: Any) -> list[Person]:
    if person.household_id is None:
        return []
    return list(persons_visible_to(user).filter(household_id=person.household_id)
                .exclude(pk=person.pk).order_by("name"))


@action_required(Action.EDIT_PEOPLE)
def circumstance_edit(request: SignedInRequest, pk: int, key: str) -> HttpResponse:
    user = request.user
    if not sees_circumstances(user):
        raise PermissionDenied
    person = get_object_or_404(persons_visible_to(user), pk=pk)
    population = get_object_or_404(Population, key=key)
    current = circumstances_visible_to(user).filter(person=person, population=population,
                                                    ended_on=None).first()
    form = CircumstanceForm(request.POST or None, population=population,
                            household=_household(person, user), current=current)
    if request.method == "POST" and form.is_valid():
        try:
            circumstance_save(person=person, population=population, values=form.values(),
                              since=form.cleaned_data["since"], by=user,
                              reason=form.cleaned_data["reason"],
                              visible=persons_visible_to(user))
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Saved. The change is in the history."))
            return redirect("web:person", pk=person.pk)
    return render(request, "web/circumstance_edit.html", {
        "person": person, "population": population, "form": form, "current": current,
        "trail": trail(user, person.grid_code)}, status=422 if form.errors else 200)


@action_required(Action.EDIT_PEOPLE)
def circumstance_ended(request: SignedInRequest, pk: int, key: str) -> HttpResponse:
    """End the person's current circumstance in the population (POST, with a reason)."""
    user = request.user
    person = get_object_or_404(persons_visible_to(user), pk=pk)
    if request.method != "POST":
        return redirect("web:circumstance", pk=pk, key=key)
    current = circumstances_visible_to(user).filter(person=person, population__key=key,
                                                    ended_on=None).first()
    if current is None:
        messages.info(request, _("This person is not in that population."))
        return redirect("web:person", pk=person.pk)
    try:
        circumstance_end(circumstance=current, by=user,
                         reason=request.POST.get("reason", "")[:200])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:circumstance", pk=pk, key=key)
    messages.success(request, _("Ended. The record is kept in the history."))
    return redirect("web:person", pk=person.pk)
