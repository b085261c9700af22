"""The inbox page and the page of what a person receives."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wangge.foundation.forms import service_errors_shown
from wangge.foundation.paging import page_of
from wangge.foundation.requests import SignedInRequest

from .delivery import describe, link_of
from .forms import PreferenceForm
from .selectors import inbox_of
from .services import inbox_mark_read, preference_update


@login_required
def inbox(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        inbox_mark_read(user=request.user)
        return redirect("notifications:inbox")
    notifications = page_of(request, inbox_of(request.user))
    items = [{"notification": n, "text": describe(n), "link": link_of(n)}
             for n in notifications]
    return render(request, "notifications/inbox.html", {
        "notifications": notifications, "items": items})


@login_required
def preferences(request: SignedInRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            preference_update(user=request.user, kinds=form.kinds(),
                              webhook_url=form.cleaned_data["webhook_url"],
                              webhook_format=form.cleaned_data["webhook_format"])
        except ValidationError as error:
            service_errors_shown(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:inbox")
    return render(request, "notifications/preferences.html", {"form": form})
