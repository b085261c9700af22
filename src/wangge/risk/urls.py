"""The risk grades' pages under /risk/ (the rules, a subject's grade)."""

from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("rules/", views.rules, name="rules"),
    path("rules/<int:pk>/", views.rule_set, name="rule_set"),
    path("rules/<int:pk>/put-in-force/", views.put_in_force, name="put_in_force"),
    path("grades/<str:kind>/<str:key>/", views.subject, name="subject"),
]
