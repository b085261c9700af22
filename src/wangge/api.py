"""The one API, under /api/v1/ (django-ninja, OpenAPI at /api/v1/openapi.json)."""

from ninja import NinjaAPI

api = NinjaAPI(title="wangge", version="1", urls_namespace="api")
