"""The site's URL map with a page that fails (tests/web/test_error_pages.py): Django reads the
error handlers from the root URL map, so they are repeated here."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from wangge import urls as site


def broken(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the database is down")


urlpatterns = [path("broken/", broken), path("api/v1/broken/", broken), *site.urlpatterns]
handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
