"""The auditor's page: the access and security log searched, and unusual volumes per user.
Only a role with READ_LOGS opens it (403 for every other); nothing here changes it."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wangge.auditlog.selectors import entries_search, volumes
from wangge.foundation.paging import page_of
from wangge.foundation.permissions import Action, can
from wangge.foundation.requests import SignedInRequest

from .forms import AccessLogSearchForm

VOLUME_DAYS = 30


@login_required
def access_log(request: SignedInRequest) -> HttpResponse:
    user = request.user
    if not can(user, Action.READ_LOGS):
        raise PermissionDenied
    form = AccessLogSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = entries_search(user, **{name: value for name, value in filters.items() if value})
    end = filters.get("end") or timezone.localdate()
    start = filters.get("start") or end - datetime.timedelta(days=VOLUME_DAYS)
    return render(request, "web/audit/log.html", {
        "form": form,
        "entries": page_of(request, entries),
        "volumes": volumes(user, start=start, end=end),
        "volume_start": start,
        "volume_end": end,
    })
