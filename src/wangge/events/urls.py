from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="new"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/transition/", views.event_transition_view, name="transition"),
    path("<int:pk>/assign/", views.event_assign_view, name="assign"),
    path("<int:pk>/comment/", views.event_comment_view, name="comment"),
    path("<int:pk>/merge/", views.event_merge_view, name="merge"),
    path("<int:pk>/rate/", views.event_rate_view, name="rate"),
    path("<int:pk>/photos/<int:photo>/", views.event_photo, name="photo"),
]
