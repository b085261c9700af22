"""How a sign-in code reaches a phone: a sender named by ``WANGGE_RESIDENT_CODE_SENDER``, any
class with ``send(*, phone, text)`` (an SMS gateway's client). Two are shipped: ``LogSender``
writes the message to the log, for development and tests (`check --deploy` warns while it is
the one); ``HttpSender`` posts it as JSON to the deployment's SMS gateway (or a small adapter in
front of it) at ``WANGGE_RESIDENT_CODE_URL``."""

import json
import logging
import urllib.request
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.utils.module_loading import import_string

from wangge.foundation.permissions import mask_phone

log = logging.getLogger("wangge.residents.codes")


class CodeSender(Protocol):
    def send(self, *, phone: str, text: str) -> None:
        """Deliver ``text`` to ``phone`` (normalised); quickly: the resident waits for it."""


class LogSender:
    """Development and tests: the message goes to the log (``wangge.residents.codes``, at
    INFO) instead of a phone, the number masked."""

    def send(self, *, phone: str, text: str) -> None:
        log.info("To %s: %s", mask_phone(phone), text)


class HttpSender:
    """Production: ``POST {"phone": ..., "text": ...}`` (UTF-8 JSON) to
    ``WANGGE_RESIDENT_CODE_URL``, an address the deployment sets (never one a user types);
    any answer other than 2xx is an error, logged by the caller."""

    def send(self, *, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(
            settings.WANGGE_RESIDENT_CODE_URL, data=body, method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=10):
            pass


@cache
def _sender(path: str) -> CodeSender:
    return import_string(path)()


def code_sender() -> CodeSender:
    return _sender(settings.WANGGE_RESIDENT_CODE_SENDER)


def code_sender_for_production(**_kwargs: Any) -> list[CheckMessage]:
    sender = import_string(settings.WANGGE_RESIDENT_CODE_SENDER)
    if sender is LogSender:
        return [Warning("Residents' sign-in codes are written to the log, not sent to phones.",
                        hint="Set WANGGE_RESIDENT_CODE_SENDER to your SMS gateway's sender "
                             "(docs/residents.md).", id="wangge.W001")]
    if sender is HttpSender and not settings.WANGGE_RESIDENT_CODE_URL.startswith(
            ("http://", "https://")):
        return [Warning("WANGGE_RESIDENT_CODE_URL is not set: no sign-in code can be sent.",
                        hint="Set it to your SMS gateway's address (docs/residents.md).",
                        id="wangge.W001")]
    return []
