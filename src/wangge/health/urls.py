"""Residents' check-in under /checkin/ (no account), the staff's pages under /health/."""

from django.urls import path

from . import views

app_name = "health"
urlpatterns = [
    path("checkin/answers/", views.answers, name="answers"),
    path("checkin/forget/", views.forget, name="forget"),
    path("checkin/<str:token>/", views.start, name="start"),
    path("health/", views.home, name="home"),
    path("health/grids/<str:code>/", views.grid, name="grid"),
    path("health/persons/<int:pk>/check-in/", views.household, name="household"),
]
