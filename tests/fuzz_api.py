"""`make fuzz`: Schemathesis over the whole OpenAPI document, as a district administrator and as
a volunteer, against the production web server on a scratch demo city. Exits non-zero on any
5xx or any answer the document does not describe.

    .venv/bin/python tests/fuzz_api.py [--max-examples 25] [--seed 1]

Uses SQLite in a temporary folder unless DATABASE_URL is set (then that database's demo
district is rebuilt, as `wangge demo` does).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent
ROLES = ["demo-district-admin", "demo-volunteer"]
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance")


def wangge(*args: str, environment: dict[str, str]) -> str:
    return subprocess.run([str(BIN / "wangge"), *args], env=environment, check=True,
                          capture_output=True, text=True).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wangge-fuzz-") as folder:
        environment = {**os.environ, "WANGGE_VAR_DIR": folder, "WANGGE_TASKS": "immediate"}
        wangge("migrate", "--noinput", environment=environment)
        wangge("demo", "--residents", "300", "--seed", "1", "--no-serve",
               "--i-know-this-is-not-production", environment=environment)
        tokens = {role: wangge("token", "create", role, environment=environment).split()[-1]
                  for role in ROLES}
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "granian"), "--interface", "wsgi", "wangge.wsgi:application",
             "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
             "--blocking-threads", "2", "--no-ws", "--log-level", "warning"],
            env=environment)
        schema = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        failed = []
        try:
            wait_for(schema)
            for role, token in tokens.items():
                print(f"== {role}", flush=True)
                run = subprocess.run(
                    [str(BIN / "schemathesis"), "run", schema,
                     "--header", f"Authorization: Bearer {token}", "--checks", CHECKS,
                     "--phases", "examples,coverage,fuzzing",
                     "--max-examples", str(options.max_examples),
                     "--seed", str(options.seed), "--workers", "1"],
                    env=environment, check=False)
                if run.returncode:
                    failed.append(role)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps({"fuzzed": ROLES, "failed": failed}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
