from django.urls import path

from . import views

app_name = "cockpit"
urlpatterns = [
    path("", views.cockpit_page, name="home"),
    path("<str:code>/", views.cockpit_page, name="unit"),
]
