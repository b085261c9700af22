"""The client's address as the deployment can vouch for it: sign-in throttling (django-axes),
the public rate limits and the access log all ask here."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address: Address, networks: list) -> bool:
    return any(address.version == network.version and address in network
               for network in networks)


def client_ip(request: HttpRequest) -> Address | None:
    """REMOTE_ADDR, or behind ``WANGGE_TRUSTED_PROXIES`` (a count of proxies, or their
    addresses and networks) the address the nearest hop that is not ours had. Each proxy
    appends the address it was reached from: the entries on the right were written by our
    proxies, anything further left by the client, who may lie."""
    found = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = settings.WANGGE_TRUSTED_PROXIES
    if not trusted or found is None:
        return found
    hops = [_address(part) for part in
            request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*hops, found]
    if trusted.isdigit():
        index = max(len(chain) - 1 - int(trusted), 0)
    else:
        networks = [ipaddress.ip_network(item.strip(), strict=False)
                    for item in trusted.split(",") if item.strip()]
        index = len(chain) - 1
        while index > 0 and chain[index] is not None and _trusted(chain[index], networks):
            index -= 1
    # A hop no proxy of ours could have written (not an address) is not believed.
    return chain[index] or found


def client_address(request: HttpRequest) -> str:
    """``client_ip`` as text (REMOTE_ADDR as it came when that is no address)."""
    found = client_ip(request)
    return request.META.get("REMOTE_ADDR", "")[:45] if found is None else str(found)
