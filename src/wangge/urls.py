"""The URL map: pages, the admin, and the API."""

from django.contrib import admin
from django.urls import include, path

from wangge.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("account/", include("wangge.access.urls")),
    path("accounts/", include("wangge.access.manage_urls")),
    path("events/", include("wangge.events.urls")),
    path("inbox/", include("wangge.notifications.urls")),
    path("patrols/", include("wangge.patrols.urls")),
    path("linkage/", include("wangge.linkage.urls")),
    path("cockpit/", include("wangge.cockpit.urls")),
    # The residents' pages (/report/) and Open311 GeoReport v2 (/open311/v2/).
    path("", include("wangge.open311.urls")),
    path("", include("wangge.web.urls")),
]

# The error pages in the site's layout and language; JSON under /api/ (wangge.web.errors).
handler400 = "wangge.web.errors.bad_request"
handler403 = "wangge.web.errors.permission_denied"
handler404 = "wangge.web.errors.page_not_found"
handler500 = "wangge.web.errors.server_error"
