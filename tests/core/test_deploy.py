"""Production: the documented environment passes Django's deployment checks, and every answer
carries the security headers (README "Production", deploy/)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import GRID_A, make_person, make_user
from wangge.foundation.permissions import Role

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = sorted((ROOT / "src" / "wangge").glob("**/templates"))


def documented_environment(var_dir: Path) -> dict[str, str]:
    """deploy/wangge.env as an administrator fills it in: its placeholders replaced."""
    environment = {"PATH": os.environ["PATH"]}
    for line in (ROOT / "deploy" / "wangge.env").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            environment[name] = value.replace("/var/lib/wangge", str(var_dir))
    environment["WANGGE_SECRET_KEY"] = "x" * 20 + "a-real-secret-of-fifty-characters-or-more"
    return environment


def test_the_documented_production_environment_passes_check_deploy(tmp_path):
    checked = subprocess.run(
        [sys.executable, "-m", "wangge.cli", "check", "--deploy", "--fail-level", "DEBUG"],
        env=documented_environment(tmp_path), capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "System check identified no issues" in checked.stdout


def test_the_example_secret_key_is_refused(tmp_path):
    environment = documented_environment(tmp_path)
    environment["WANGGE_SECRET_KEY"] = "CHANGE-this-to-fifty-random-characters-of-your-own"
    checked = subprocess.run([sys.executable, "-m", "wangge.cli", "check"], env=environment,
                             capture_output=True, text=True, check=False)
    assert checked.returncode != 0
    assert "placeholder" in checked.stderr


@pytest.mark.parametrize("path", ["/login/", "/", "/api/v1/persons"])
def test_every_answer_has_the_security_headers(world, page_as, path):
    client = page_as(make_user(Role.GRID_WORKER, GRID_A))
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_a_page_with_a_persons_data_is_never_cached(world, page_as):
    person = make_person(GRID_A)
    response = page_as(make_user(Role.GRID_WORKER, GRID_A)).get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.I)


@pytest.mark.parametrize("template", [
    path for folder in TEMPLATE_DIRS for path in sorted(folder.glob("**/*.html"))],
    ids=lambda path: str(path.relative_to(ROOT / "src" / "wangge")))
def test_no_template_holds_an_inline_script_or_style(template):
    """The policy refuses them in the browser; this says which template before it gets there."""
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not INLINE_HANDLER.search(text), "inline on…= handler: listen from a static file"
    assert not INLINE_STYLE.search(text), "inline style: use a class in a stylesheet"
