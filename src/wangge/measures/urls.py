"""Pages of lawful measures under /measures/ (staff) and the person's own, by signed link."""

from django.urls import path

from . import views

app_name = "measures"
urlpatterns = [
    path("", views.measure_list, name="list"),
    path("new/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/refuse/", views.refuse, name="refuse"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/lift/", views.lift, name="lift"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<int:pk>/", views.appeal, name="appeal"),
    path("notice/<str:token>/", views.notice, name="notice"),
    path("notice/<str:token>/appeal/", views.notice_appeal, name="notice_appeal"),
]
