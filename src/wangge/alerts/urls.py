"""Pages of public alerts under /alerts/; the public feed of warnings in force."""

from django.urls import path

from . import views
from .feed import CurrentAlertsFeed

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("new/", views.alert_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/update/", views.update, name="update"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("preparedness/", views.preparedness_list, name="preparedness"),
    path("preparedness/new/", views.preparedness_new, name="preparedness_new"),
    # Public (no sign-in): real warnings in force, for anyone and any CAP aggregator.
    path("feed.atom", CurrentAlertsFeed(), name="feed"),
]
