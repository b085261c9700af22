from django.contrib.auth import views as auth_views
from django.urls import path

from . import audit_views, circumstance_views, import_views, report_views, views

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("divisions/<str:code>/", views.division, name="division"),
    path("grids/<str:code>/", views.grid, name="grid"),
    path("buildings/unplaced/", views.unplaced, name="unplaced"),
    path("buildings/<int:pk>/", views.building, name="building"),
    path("dwellings/<int:pk>/", views.dwelling, name="dwelling"),
    path("households/<int:pk>/", views.household, name="household"),
    path("people/", views.person_search, name="person_search"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/circumstances/<slug:key>/", circumstance_views.circumstance_edit,
         name="circumstance"),
    path("people/<int:pk>/circumstances/<slug:key>/end/",
         circumstance_views.circumstance_ended, name="circumstance_end"),
    path("imports/", import_views.upload, name="imports"),
    path("imports/<int:pk>/", import_views.job, name="import_job"),
    path("imports/addresses/", import_views.addresses, name="import_addresses"),
    path("imports/addresses/<int:pk>/", import_views.address_place, name="import_address_place"),
    path("imports/addresses/<int:pk>/buildings/", import_views.address_buildings,
         name="import_address_buildings"),
    path("imports/templates/<slug:kind>/", import_views.template, name="import_template"),
    path("imports/<int:pk>/rejects/", import_views.rejects, name="import_rejects"),
    path("imports/<int:pk>/retry/", import_views.retry, name="import_retry"),
    path("reports/", report_views.reports, name="reports"),
    # Two segments: never taken for a template's code (reports/<slug>/).
    path("reports/forms/fill/", report_views.fill, name="report_fill"),
    path("reports/forms/download/", report_views.fill_download, name="report_fill_download"),
    path("reports/forms/keep/", report_views.fill_keep, name="report_fill_keep"),
    path("reports/<slug:slug>/", report_views.report, name="report"),
    path("reports/<slug:slug>/export/", report_views.export, name="report_export"),
    path("reports/<slug:slug>/gaps/", report_views.gaps, name="report_gaps"),
    path("access-log/", audit_views.access_log, name="access_log"),
]
