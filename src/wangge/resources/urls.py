"""Pages of the emergency resource database under /resources/."""

from django.urls import path

from . import views

app_name = "resources"
urlpatterns = [
    path("", views.home, name="home"),
    # Before the kinds' patterns, which would take "requests" for a kind.
    path("requests/", views.supply_request_list, name="supply_requests"),
    path("requests/new/", views.supply_request_new, name="supply_request_new"),
    path("requests/<int:pk>/", views.supply_request_detail, name="supply_request"),
    path("allocations/", views.allocation_list, name="allocations"),
    path("allocations/<int:pk>/", views.allocation_detail, name="allocation"),
    path("allocations/<int:pk>/shipments/<int:shipment>/", views.shipment_edit,
         name="shipment_edit"),
    path("allocations/<int:pk>/confirm/", views.allocation_confirmed,
         name="allocation_confirm"),
    path("allocations/dispatches/<int:pk>/<slug:step>/", views.dispatch_step,
         name="dispatch_step"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/new/", views.record_new, name="new"),
    path("<slug:kind>/<int:pk>/", views.record_detail, name="detail"),
    path("<slug:kind>/<int:pk>/edit/", views.record_edit, name="edit"),
]
