"""Cases and exposures pages under /epidemic/."""

from django.urls import path

from . import views

app_name = "epidemic"
urlpatterns = [
    path("epidemic/", views.case_list, name="cases"),
    path("epidemic/cases/<int:pk>/", views.case_detail, name="case"),
    path("epidemic/cases/<int:pk>/status/", views.case_edit, name="case_edit"),
    path("epidemic/cases/<int:pk>/tests/", views.test_add, name="test_add"),
    path("epidemic/cases/<int:pk>/trace/", views.case_trace, name="trace"),
    path("epidemic/cases/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path("epidemic/persons/<int:pk>/case/", views.case_new, name="case_new"),
    path("epidemic/venues/", views.venue_list, name="venues"),
    path("epidemic/venues/<int:pk>/", views.venue_detail, name="venue"),
]
