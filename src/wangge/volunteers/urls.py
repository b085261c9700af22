"""Volunteers: staff's pages under /volunteers/, a resident's under /me/volunteer/."""

from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("volunteers/", views.home, name="home"),
    path("volunteers/register/", views.register, name="register"),
    path("volunteers/<int:pk>/", views.registration, name="registration"),
    path("volunteers/<int:pk>/decide/", views.decide, name="decide"),
    path("volunteers/<int:pk>/points/", views.correct, name="correct"),
    path("volunteers/tasks/", views.tasks, name="tasks"),
    path("volunteers/tasks/new/", views.task_new, name="task_new"),
    path("volunteers/tasks/<int:pk>/", views.task, name="task"),
    path("volunteers/tasks/<int:pk>/call/", views.call, name="call"),
    path("volunteers/tasks/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("volunteers/participations/<int:pk>/hours/", views.hours, name="hours"),
    path("volunteers/rules/", views.rules, name="rules"),
    path("volunteers/ranking/", views.ranking_page, name="ranking"),
    path("me/volunteer/", views.mine, name="mine"),
    path("me/volunteer/withdraw/", views.mine_withdraw, name="mine_withdraw"),
    path("me/volunteer/tasks/<int:pk>/<slug:step>/", views.mine_task, name="mine_task"),
]
