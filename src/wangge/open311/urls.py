"""The residents' pages under /report/ and Open311 GeoReport v2 under /open311/v2/."""

from django.urls import path, re_path

from . import georeport, views

app_name = "open311"
FORMAT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    path("report/ticket/", views.lookup, name="lookup"),
    path("report/ticket/<str:number>/", views.status, name="status"),
    path("report/ticket/<str:number>/rate/", views.rate, name="rate"),
    path("report/ticket/<str:number>/photos/<int:pk>/", views.photo, name="photo"),
    path("report/poster/<int:pk>/", views.poster, name="poster"),
    re_path(r"^report/(?P<code>\d{12})/$", views.report, name="report"),
    re_path(r"^open311/discovery" + FORMAT, georeport.discovery, name="discovery"),
    path("open311/v2/", georeport.unknown, {"rest": ""}, name="root"),
    re_path(r"^open311/v2/services" + FORMAT, georeport.service_list, name="services"),
    re_path(r"^open311/v2/services/(?P<code>[\w-]+)" + FORMAT, georeport.service_definition,
            name="service"),
    re_path(r"^open311/v2/requests" + FORMAT, georeport.requests, name="requests"),
    re_path(r"^open311/v2/requests/(?P<number>\w+)" + FORMAT, georeport.request_detail,
            name="request"),
    path("open311/media/<str:token>/", georeport.media, name="media"),
    path("open311/v2/<path:rest>", georeport.unknown),
]
