"""Response headers that keep personal data out of caches."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Every page and API answer is ``Cache-Control: no-store`` unless its view chose a cache
    policy itself: nearly all of them hold someone's data, and a shared computer's browser
    cache or a proxy must not keep it. Static files never get here (WhiteNoise answers them
    earlier in the chain, with their own long cache lifetime)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
