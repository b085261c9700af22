from django.urls import path

from . import views

app_name = "patrols"
urlpatterns = [
    path("", views.patrol_home, name="home"),
    path("start/", views.patrol_start_view, name="start"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/<str:code>/", views.coverage_grid, name="coverage_grid"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.patrol_detail, name="detail"),
    path("<int:pk>/end/", views.patrol_end_view, name="end"),
    path("<int:pk>/buildings/", views.patrol_buildings, name="buildings"),
    path("<int:pk>/visit/<int:building>/", views.patrol_visit_view, name="visit"),
    path("<int:pk>/finding/", views.patrol_finding, name="finding"),
]
