"""The deployment check that keeps the benchmark's endpoints out of production (registered
in apps.py)."""

import os
from typing import Any

from django.core.checks import CheckMessage, Error


def bench_endpoints_off(**_kwargs: Any) -> list[CheckMessage]:
    if os.environ.get("WANGGE_BENCH_ENDPOINTS") == "1":
        return [Error("WANGGE_BENCH_ENDPOINTS=1 serves the benchmark's endpoints (a bare "
                      "answer and unchecked inserts).",
                      hint="Unset it: only `wangge bench checkin` sets it, for its own server.",
                      id="wangge.E002")]
    return []
