"""The URL map: pages, the admin, and the API."""

import os

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from wangge.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    # Daily health monitoring: residents' check-in (/checkin/) and the staff's pages (/health/).
    # First: a morning's burst of check-ins should not walk the other patterns to get there.
    path("", include("wangge.health.urls")),
    path("admin/", admin.site.urls),
    # Cases and exposures (/epidemic/).
    path("", include("wangge.epidemic.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("account/", include("wangge.access.urls")),
    path("accounts/", include("wangge.access.manage_urls")),
    path("events/", include("wangge.events.urls")),
    path("inbox/", include("wangge.notifications.urls")),
    path("patrols/", include("wangge.patrols.urls")),
    path("measures/", include("wangge.measures.urls")),
    path("emergency/", include("wangge.emergency.urls")),
    # Care visits and remote medical help (/care/).
    path("care/", include("wangge.care.urls")),
    # Public alerts (CAP 1.2); its feed of warnings in force is public.
    path("alerts/", include("wangge.alerts.urls")),
    path("resources/", include("wangge.resources.urls")),
    path("linkage/", include("wangge.linkage.urls")),
    path("cockpit/", include("wangge.cockpit.urls")),
    path("risk/", include("wangge.risk.urls")),
    # Residents' accounts (/me/, their sign-in; /residents/ for staff) and notices (/notices/
    # for staff, /me/notices/ for residents).
    path("", include("wangge.residents.urls")),
    path("", include("wangge.notices.urls")),
    # Volunteers and party members (/volunteers/ for staff, /me/volunteer/ for residents).
    path("", include("wangge.volunteers.urls")),
    # Needs and offers (/needs/), with the public sums of donations (/needs/donations/<code>/).
    path("", include("wangge.needs.urls")),
    # Community conventions and proposals (/conventions/ for staff, /conventions/public/ for
    # anyone, /me/conventions/ for residents).
    path("", include("wangge.conventions.urls")),
    # The residents' pages (/report/) and Open311 GeoReport v2 (/open311/v2/).
    path("", include("wangge.open311.urls")),
    path("", include("wangge.web.urls")),
]

# The error pages in the site's layout and language; JSON under /api/ (wangge.web.errors).
handler400 = "wangge.web.errors.bad_request"
handler403 = "wangge.web.errors.permission_denied"
handler404 = "wangge.web.errors.page_not_found"
handler500 = "wangge.web.errors.server_error"

# `wangge bench checkin` only (bench/checkin.py sets it for the server it starts): a bare
# endpoint and a plain one-INSERT-per-request one to compare the check-in with. Never set in
# production (`wangge check --deploy` refuses it, wangge.E002).
if os.environ.get("WANGGE_BENCH_ENDPOINTS") == "1":
    from wangge.health import bench_views

    urlpatterns[:0] = bench_views.urlpatterns
