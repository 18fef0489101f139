"""Production settings refuse unsafe configurations; `check --deploy` is clean with them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "x7#Qe9!vLr2@Tz8$Wm4^Kp6&Hn3*Jc5(Bd1)Fg0-Ys_Ua+Oi=Ew"


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "SITE_URL": "https://vigil.example.org",
            **env,
        }
    )
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


def _clean_env(**env: str) -> dict[str, str]:
    """The process environment of a server or worker started with nothing chosen for it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SITE_URL"))}
    clean["VIGIL_READ_DOTENV"] = "false"
    clean.update(env)
    return clean


def _settings_module_of(module: str, **env: str) -> subprocess.CompletedProcess:
    code = f"import {module}; from django.conf import settings; print(settings.SETTINGS_MODULE)"
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.celery"])
def test_servers_and_workers_default_to_production_settings(module):
    result = _settings_module_of(
        module, DJANGO_SECRET_KEY=GOOD_KEY, SITE_URL="https://vigil.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.prod"


@pytest.mark.parametrize("module", ["config.wsgi", "config.celery"])
def test_a_server_started_with_nothing_set_refuses_rather_than_running_development(module):
    # Development settings would run with DEBUG on and a published secret key.
    result = _settings_module_of(module)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_site_url():
    # Otherwise digests' unsubscribe and case links would point at 127.0.0.1.
    result = _manage("check", DJANGO_SECRET_KEY=GOOD_KEY, SITE_URL="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL" in result.stderr


def test_manage_py_still_defaults_to_development_settings():
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "config.settings.dev True"


def test_production_refuses_a_plain_http_site_url():
    # The proxy would serve plain HTTP (Caddy takes the scheme from it), and digests' links too.
    result = _manage("check", DJANGO_SECRET_KEY=GOOD_KEY, SITE_URL="http://vigil.example.org")
    assert result.returncode != 0
    assert "SITE_URL must start with https://" in result.stderr


@pytest.mark.parametrize("secret", ["vigil", "vigil:short-password"])
def test_production_refuses_a_guessable_webhook_secret(secret):
    result = _manage("check", DJANGO_SECRET_KEY=GOOD_KEY, ANYMAIL_WEBHOOK_SECRET=secret)
    assert result.returncode != 0
    assert "ANYMAIL_WEBHOOK_SECRET must be user:password" in result.stderr


def test_production_starts_without_a_webhook_secret_and_serves_no_webhook():
    result = _manage(
        "shell",
        "-c",
        "from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/anymail/postmark/tracking/'); print('served')\n"
        "except Resolver404:\n    print('not served')",
        DJANGO_SECRET_KEY=GOOD_KEY,
        ANYMAIL_WEBHOOK_SECRET="",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "not served"
