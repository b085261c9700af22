from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    # The one-time link an administrator hands to the owner of an account (no sign-in).
    path("set-password/<uidb64>/<token>/", views.PasswordChooseView.as_view(),
         name="password_choose"),
]
