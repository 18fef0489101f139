"""Production settings refuse unsafe configurations; `check --deploy` is clean with them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "x7#Qe9!vLr2@Tz8$Wm4^Kp6&Hn3*Jc5(Bd1)Fg0-Ys_Ua+Oi=Ew"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.prod", **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_debug_on():
    result = _manage("check", DJANGO_SECRET_KEY=GOOD_KEY, DJANGO_DEBUG="true")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be off" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _require_2fa(**env: str) -> str:
    code = "from django.conf import settings; print(settings.REQUIRE_2FA)"
    result = _manage("shell", "-c", code, DJANGO_SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_requires_two_factor_authentication_of_every_staff_account():
    assert _require_2fa() == "True"


def test_production_can_leave_two_factor_authentication_to_each_staff_member():
    assert _require_2fa(DJANGO_REQUIRE_2FA="false") == "False"
