"""Conventions: staff's pages under /conventions/, anyone's under /conventions/public/, a
resident's under /me/conventions/."""

from django.urls import path

from . import views

app_name = "conventions"
urlpatterns = [
    path("conventions/", views.convention_list, name="list"),
    path("conventions/new/", views.convention_new, name="new"),
    path("conventions/public/<str:code>/", views.public, name="public"),
    path("conventions/<int:pk>/", views.convention_detail, name="detail"),
    path("conventions/<int:pk>/<slug:step>/", views.convention_step, name="step"),
    path("conventions/comments/<int:pk>/hide/", views.hide, name="hide"),
    path("conventions/breaches/<int:pk>/", views.breach, name="breach"),
    path("me/conventions/", views.mine, name="mine"),
    path("me/conventions/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("me/conventions/<int:pk>/<slug:step>/", views.mine_step, name="mine_step"),
]
