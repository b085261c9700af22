"""Pages of the emergency resource database under /resources/."""

from django.urls import path

from . import views

app_name = "resources"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/new/", views.record_new, name="new"),
    path("<slug:kind>/<int:pk>/", views.record_detail, name="detail"),
    path("<slug:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
]
