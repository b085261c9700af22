"""Two endpoints for `wangge bench checkin` alone, to compare the check-in with: the server's
bare answer, and one plain INSERT of a check-in with its own COMMIT per request (the upsert of
``services._upsert``, without the group commit). urls.py mounts them only when the bench sets
WANGGE_BENCH_ENDPOINTS=1 for the server it starts; `wangge check --deploy` refuses that
setting (wangge.E002), so they are never served in production."""

from decimal import Decimal

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import CheckInChannel, EnteredBy
from .services import Answer, Entry, _upsert


@csrf_exempt
@require_POST
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> HttpResponse:
    """Insert (or replace) today's check-in of ``person`` in ``grid``: one statement, and the
    connection's autocommit commits it before the answer."""
    person_id = int(request.POST["person"])
    entry = Entry(person_id=person_id, answer=Answer(temperature=Decimal("36.5")),
                  entered_by=EnteredBy.SELF, channel=CheckInChannel.POSTER)
    day = timezone.localdate()
    _upsert([((person_id, day), entry, request.POST["grid"])], timezone.now())
    assert connection.get_autocommit()
    return HttpResponse(f"ok {day:%Y-%m-%d}", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), path("bench/insert", insert)]
