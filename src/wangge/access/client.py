"""The client address a deployment trusts, for sign-in throttling (django-axes)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in settings.WANGGE_TRUSTED_PROXY_NETWORKS)


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy (``WANGGE_TRUSTED_PROXIES``): then the last
    address in X-Forwarded-For that is not one of ours. Anything to its left was written by
    the client and proves nothing."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # garbage from a client: count it against the proxy's hop
    return address
