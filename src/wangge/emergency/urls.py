"""Pages of emergency readiness under /emergency/, and the one-tap answer to a call."""

from django.urls import path

from . import views

app_name = "emergency"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/draft/", views.plan_draft, name="plan_draft"),
    path("plans/<int:pk>/name/", views.plan_rename_page, name="plan_rename"),
    path("versions/<int:pk>/approve/", views.version_approve, name="version_approve"),
    path("teams/new/", views.team_new, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/members/<int:member>/remove/", views.team_member_remove_page,
         name="team_member_remove"),
    path("declare/", views.declare, name="declare"),
    path("<int:pk>/", views.record, name="record"),
    path("<int:pk>/level/", views.change_level, name="level"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/roll-call/", views.roll_call_page, name="roll_call"),
    path("<int:pk>/roll-call/deputies/", views.roll_call_deputies, name="roll_call_deputies"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("drills/", views.drills, name="drills"),
    path("drills/new/", views.drill_new, name="drill_new"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/run/", views.drill_run_page, name="drill_run"),
]
