"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
django_application = get_wsgi_application()

# Residents' check-ins (a morning's burst) take a shorter middleware chain: health/lean.py.
from wangge.health.lean import check_ins_routed  # noqa: E402

application = check_ins_routed(django_application)
