from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("visits/", views.visits_due_page, name="visits"),
    path("visits/<int:person>/", views.visit_page, name="visit"),
    path("medical/", views.medical_queue_page, name="medical"),
    path("medical/mine/", views.medical_own, name="medical_own"),
    path("medical/new/<int:person>/", views.medical_new, name="medical_new"),
    path("medical/<int:pk>/", views.medical_detail, name="medical_detail"),
    path("medical/<int:pk>/<slug:step>/", views.medical_step, name="medical_step"),
]
