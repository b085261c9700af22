from django.urls import path

from . import views

app_name = "risk"
urlpatterns = [
    path("", views.risk_page, name="home"),
    path("<str:code>/", views.risk_page, name="area"),
]
