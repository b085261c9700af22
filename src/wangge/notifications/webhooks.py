"""Posting to a group-chat bot without letting a webhook URL reach inside the network.

A webhook URL is typed by a user, so it could name the database, the cloud's metadata service
or an intranet admin page. Its host is resolved and every address checked: private, loopback,
link-local, multicast, reserved and unspecified addresses are refused unless the deployment
allows them (``WANGGE_WEBHOOK_ALLOW_PRIVATE``, ``WANGGE_WEBHOOK_ALLOWED_NETWORKS``). The
connection then goes to the address that was checked (a second lookup could answer otherwise:
DNS rebinding), and a redirect is not followed.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _allowed(address: Address) -> bool:
    if settings.WANGGE_WEBHOOK_ALLOW_PRIVATE:
        return True
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    networks = [ipaddress.ip_network(item, strict=False)
                for item in settings.WANGGE_WEBHOOK_ALLOWED_NETWORKS]
    if any(address.version == network.version and address in network for network in networks):
        return True
    return address.is_global and not address.is_multicast


def webhook_target(url: str) -> tuple[str, str, int, Address]:
    """The scheme, host, port and checked address ``url`` may be posted to; a
    ValidationError says why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(_("Give a webhook address starting with http:// or https://."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError):
        raise ValidationError(_("The webhook's host %(host)s cannot be found.")
                              % {"host": parts.hostname}) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses or not all(_allowed(address) for address in addresses):
        raise ValidationError(_("The webhook's host %(host)s is an internal address; "
                                "webhooks may only go to the internet.")
                              % {"host": parts.hostname})
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address, whatever the host's name resolves to now."""

    def __init__(self, host: str, port: int, address: Address, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """As ``_PinnedHTTP``; the certificate is still checked against the host's name."""

    def __init__(self, host: str, port: int, address: Address, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = str(address)

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def webhook_post(url: str, body: bytes) -> int:
    """POST ``body`` (JSON) to ``url`` once its target is checked; returns the HTTP status,
    raises OSError when the bot does not answer 2xx (the task then records the failure)."""
    scheme, host, port, address = webhook_target(url)
    parts = urlsplit(url)
    connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = connection_class(host, port, address, settings.WANGGE_WEBHOOK_TIMEOUT)
    try:
        connection.request("POST", (parts.path or "/") + (f"?{parts.query}" if parts.query
                                                          else ""),
                           body=body, headers={"Content-Type": "application/json; charset=utf-8"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    if not 200 <= response.status < 300:
        raise OSError(f"The webhook answered {response.status} {response.reason}")
    return response.status
