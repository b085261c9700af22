"""Residents' pages under /me/ (signing in, their own record) and staff's under /residents/."""

from django.urls import path

from . import views

app_name = "residents"
urlpatterns = [
    path("me/sign-in/", views.sign_in, name="sign_in"),
    path("me/sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("me/link/<str:secret>/", views.sign_in_link, name="sign_in_link"),
    path("me/", views.me, name="me"),
    path("me/correction/", views.correction_ask, name="correction_ask"),
    path("me/requests/", views.requests_own, name="requests"),
    path("me/requests/new/", views.request_new, name="request_new"),
    path("me/requests/<int:pk>/", views.request_own, name="request"),
    path("me/requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path("me/requests/<int:pk>/photos/<int:photo>/", views.request_photo,
         name="request_photo"),
    path("residents/persons/<int:pk>/link/", views.link_create, name="link_create"),
    path("residents/corrections/", views.corrections, name="corrections"),
    path("residents/corrections/<int:pk>/", views.correction, name="correction"),
]
