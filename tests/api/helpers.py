"""Helpers for API tests: a JSON client and valid test data the factories lack."""

from typing import Any

from django.test import Client
from stdnum.cn import uscc


class ApiClient:
    """A test client for /api/v1/ that sends and reads JSON."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", params or {},
                               headers={**self.headers, **headers})

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return getattr(self.client, method.lower())(
            f"/api/v1{path}", body if body is not None else {},
            content_type="application/json", headers={**self.headers, **headers},
        )

    def post(self, path: str, body: Any, **headers: str) -> Any:
        return self.send("POST", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self.send("PATCH", path, body, **headers)

    def delete(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("DELETE", path, body, **headers)


# Headers for a request whose messages a test reads in English (the msgids).
ENGLISH = {"Accept-Language": "en"}


def credit_code(serial: int) -> str:
    """A valid unified social credit code (GB 32100) for test enterprises."""
    body = f"91420102MA4K{serial:05d}"
    return body + uscc.calc_check_digit(body + "0")
