"""The residents' check-in through the shorter middleware chain (health/lean.py): taken only
for a POST to /checkin/answers/ without a session, answered with the same headers as the whole
chain gives, the CSRF token still checked, and the receipt's text as before."""

import io
import sys

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from wangge.health import lean
from wangge.health.models import CheckIn, CheckInChannel
from wangge.health.passes import PASS_COOKIE, pass_issue

CSRF = "leanleanleanleanleanleanleanlean"


def environ(path, body=b"", *, method="POST", cookie="", language="en"):
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "testserver", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver",
            "HTTP_ACCEPT_LANGUAGE": language,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)), "HTTP_COOKIE": cookie,
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0)}


class Answered:
    def __init__(self, application, env):
        self.headers: list[tuple[str, str]] = []
        body = application(env, self.start)
        self.handler = body._handler_class
        self.body = b"".join(body).decode()
        body.close()

    def start(self, status, headers, exc_info=None):
        self.status = int(status.split()[0])
        self.headers = headers

    def header_names(self):
        # The date of Expires and the CSRF cookie's expiry differ from one answer to the next,
        # the length with the text. The whole chain reads the (empty) session to learn that
        # the user is anonymous, which adds "Cookie" to Vary; the answer is never stored by a
        # cache anyway (no-store, private).
        return {name: value for name, value in self.headers
                if name not in ("Expires", "Set-Cookie", "Content-Length", "Vary")}


@pytest.fixture
def applications():
    """The site's handler and the routed one, called as the test client calls its handler:
    without closing the test's connection (and its transaction) at each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    full = WSGIHandler()
    yield full, lean.check_ins_routed(full)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def check_in(town, temperature="36.6", *, cookie_extra="", token=CSRF):
    passed = pass_issue([town.head], channel=CheckInChannel.POSTER)
    body = f"csrfmiddlewaretoken={token}&temperature-{town.head.pk}={temperature}".encode()
    return environ("/checkin/answers/", body,
                   cookie=f"csrftoken={CSRF}; {PASS_COOKIE}={passed}{cookie_extra}")


def test_the_chain_is_the_sites_less_what_a_resident_without_a_session_does_not_need():
    chain = lean.lean_middleware(settings.MIDDLEWARE)
    assert set(settings.MIDDLEWARE) >= lean.SKIPPED  # a renamed middleware is noticed here
    assert "django.middleware.csrf.CsrfViewMiddleware" in chain
    assert "django.middleware.security.SecurityMiddleware" in chain
    assert "wangge.health.lean.StaticPolicyCSPMiddleware" in chain
    kept = [path for path in settings.MIDDLEWARE if path not in lean.SKIPPED]
    assert [lean.REPLACED.get(path, path) for path in kept] == chain  # in the site's order


def test_a_check_in_takes_the_short_chain_with_the_same_headers(db, town, applications):
    full, routed = applications
    short = Answered(routed, check_in(town))
    assert short.handler is lean.CheckInHandler
    assert short.status == 200
    assert 'class="receipt"' in short.body
    assert town.head.name in short.body
    whole = Answered(full, check_in(town, "36.7"))
    assert whole.handler is WSGIHandler
    assert "your earlier answer today is replaced" in whole.body
    assert short.header_names() == whole.header_names()
    assert "Accept-Language" in dict(short.headers)["Vary"]
    headers = short.header_names()
    assert "no-store" in headers["Cache-Control"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert CheckIn.objects.get(person=town.head).revisions == 2


def test_the_csrf_token_is_still_checked(db, town, applications):
    _full, routed = applications
    refused = Answered(routed, check_in(town, token="x" * 32))
    assert refused.handler is lean.CheckInHandler
    assert refused.status == 403
    assert not CheckIn.objects.exists()


def test_a_session_a_page_or_another_address_take_the_whole_chain(db, town, applications):
    _full, routed = applications
    signed_in = Answered(routed, check_in(
        town, cookie_extra=f"; {settings.SESSION_COOKIE_NAME}=abc"))
    assert signed_in.handler is WSGIHandler
    assert signed_in.status == 200
    page = Answered(routed, environ("/checkin/answers/", method="GET",
                                    cookie=check_in(town)["HTTP_COOKIE"]))
    assert page.handler is WSGIHandler
    other = Answered(routed, environ("/checkin/forget/", f"csrfmiddlewaretoken={CSRF}".encode(),
                                     cookie=f"csrftoken={CSRF}"))
    assert other.handler is WSGIHandler


def test_a_refused_answer_renders_its_page_in_the_short_chain(db, town, applications):
    _full, routed = applications
    wrong = Answered(routed, check_in(town, "51"))
    assert wrong.handler is lean.CheckInHandler
    assert wrong.status == 422
    assert "cannot be right" in wrong.body
    assert not CheckIn.objects.exists()


def test_without_a_pass_the_short_chain_answers_with_the_refusal_page(db, applications):
    _full, routed = applications
    refused = Answered(routed, environ(
        "/checkin/answers/", f"csrfmiddlewaretoken={CSRF}&temperature-1=36.5".encode(),
        cookie=f"csrftoken={CSRF}"))
    assert refused.handler is lean.CheckInHandler
    assert refused.status == 403
    assert "Scan the QR code on your building again" in refused.body
