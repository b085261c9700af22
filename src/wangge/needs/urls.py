"""Needs and offers: staff's board under /needs/; the public sums of donations."""

from django.urls import path, re_path

from . import views

app_name = "needs"
urlpatterns = [
    path("needs/", views.board, name="board"),
    path("needs/new/", views.need_new, name="new"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/match/", views.need_match, name="match_new"),
    path("needs/<int:pk>/close/", views.need_close_view, name="close"),
    path("needs/offers/ours/", views.offers_ours, name="offers_ours"),
    path("needs/offers/new/", views.offer_new, name="offer_new"),
    path("needs/offers/<int:pk>/", views.offer_detail, name="offer"),
    path("needs/offers/<int:pk>/close/", views.offer_close_view, name="offer_close"),
    path("needs/matches/<int:pk>/", views.match_detail, name="match"),
    path("needs/matches/<int:pk>/deliver/", views.match_deliver_view, name="deliver"),
    path("needs/matches/<int:pk>/cancel/", views.match_cancel_view, name="cancel"),
    path("needs/donations/new/", views.donation_new, name="donation_new"),
    re_path(r"^needs/donations/(?P<code>\d{12})/$", views.donations_public, name="donations"),
]
