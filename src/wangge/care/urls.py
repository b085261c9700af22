from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("visits/", views.visits_due_page, name="visits"),
    path("visits/<int:person>/", views.visit_page, name="visit"),
]
