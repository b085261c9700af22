"""Notices: staff's pages under /notices/, a resident's under /me/notices/."""

from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("notices/", views.notice_list, name="list"),
    path("notices/new/", views.compose, name="compose"),
    path("notices/<int:pk>/", views.detail, name="detail"),
    path("notices/<int:pk>/unread/", views.unread, name="unread"),
    path("notices/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("notices/receipts/<int:pk>/told/", views.told, name="told"),
    path("me/notices/", views.mine, name="mine"),
    path("me/notices/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("me/notices/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
