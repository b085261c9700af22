"""The account pages of administrators (/accounts/); one's own account is /account/."""

from django.urls import path

from . import account_views

app_name = "accounts"
urlpatterns = [
    path("", account_views.account_list, name="list"),
    path("new/", account_views.account_new, name="new"),
    path("<int:pk>/", account_views.account_detail, name="detail"),
    path("<int:pk>/password/", account_views.account_password, name="password"),
    path("<int:pk>/active/", account_views.account_active, name="active"),
]
