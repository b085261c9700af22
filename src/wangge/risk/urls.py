"""The risk pages under /risk/: the map (the caller's jurisdiction or an area in it), the
rules, a subject's grade."""

from django.urls import path, re_path

from . import map_views, views

app_name = "risk"
urlpatterns = [
    # The risk map of the caller's jurisdiction, and of a division or grid in it (digits only,
    # so the other pages under /risk/ never reach it).
    path("", map_views.risk_page, name="home"),
    re_path(r"^(?P<code>\d{12}|\d{15})/$", map_views.risk_page, name="area"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_set, name="rule_set"),
    path("rules/<int:pk>/put-in-force/", views.put_in_force, name="put_in_force"),
    path("grades/<str:kind>/<str:key>/", views.subject, name="subject"),
]
