from django.urls import path, re_path

from . import map_views

app_name = "risk"
urlpatterns = [
    # The risk map of the caller's jurisdiction, and of a division or grid in it (digits only,
    # so the other pages under /risk/ never reach it).
    path("", map_views.risk_page, name="home"),
    re_path(r"^(?P<code>\d{12}|\d{15})/$", map_views.risk_page, name="area"),
]
