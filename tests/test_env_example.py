""".env.example, copied to .env as the README says, leaves the settings on their embedded
defaults (SQLite, the filesystem broker) and lets production start; it documents every
variable the settings read."""

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / ".env.example"
GOOD_KEY = "x7#Qe9!vLr2@Tz8$Wm4^Kp6&Hn3*Jc5(Bd1)Fg0-Ys_Ua+Oi=Ew"

# Runs in a fresh interpreter: base.py's own `env.read_env(BASE_DIR / ".env")` call reads
# .env.example instead (and a developer's real .env is left out of it).
_SCRIPT = """
import importlib, json, sys
import environ

example, module = sys.argv[1], sys.argv[2]
read_env = environ.Env.read_env.__func__
calls = []

def read_example(cls, env_file=None, **kwargs):
    calls.append(str(env_file))
    return read_env(cls, example, **kwargs)

environ.Env.read_env = classmethod(read_example)
s = importlib.import_module(module)
print(json.dumps({
    "read_env_calls": calls,
    "engine": s.DATABASES["default"]["ENGINE"],
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "var_dir": str(s.VAR_DIR),
    "broker": s.CELERY_BROKER_URL,
    "debug": s.DEBUG,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "num_proxies": s.REST_FRAMEWORK["NUM_PROXIES"],
    "user_agent": s.NEWSWATCH_USER_AGENT,
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "conn_health_checks": s.DATABASES["default"].get("CONN_HEALTH_CHECKS", False),
    "allowed_networks": s.NEWSWATCH_ALLOWED_NETWORKS,
}))
"""


def _load_settings(module: str, env_file: Path = EXAMPLE, **environ: str) -> dict:
    clean = {"PATH": "/usr/bin:/bin", **environ}  # nothing of the caller's environment
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _SCRIPT, str(env_file), module],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_settings_keep_the_embedded_defaults_with_the_example_as_env():
    s = _load_settings("config.settings.dev")
    assert s["read_env_calls"] == [str(ROOT / ".env")]
    assert s["engine"] == "config.sqlite"
    assert s["var_dir"] == str(ROOT / "var")
    assert s["db_name"] == str(ROOT / "var" / "vigil.sqlite3")
    assert s["broker"] == "filesystem://"
    assert s["debug"] is True
    assert s["allowed_hosts"] == ["127.0.0.1", "localhost"]
    assert s["num_proxies"] == 0
    assert s["user_agent"].startswith("VigilNewsWatch/1.0 (+https://")
    assert s["conn_max_age"] == 0


def test_production_settings_start_with_the_example_as_env():
    # docker-compose.yml passes .env as env_file: it must not switch DEBUG on.
    s = _load_settings(
        "config.settings.prod", DJANGO_SECRET_KEY=GOOD_KEY, SITE_URL="https://vigil.example.org"
    )
    assert s["read_env_calls"] == [str(ROOT / ".env")]
    assert s["debug"] is False
    assert s["engine"] == "config.sqlite"
    assert s["broker"] == "filesystem://"
    # Workers keep their connection between tasks (a new one per poll costs more than a 304).
    assert (s["conn_max_age"], s["conn_health_checks"]) == (60, True)


def test_production_keeps_connections_only_as_long_as_told():
    s = _load_settings(
        "config.settings.prod",
        DJANGO_SECRET_KEY=GOOD_KEY,
        SITE_URL="https://vigil.example.org",
        DATABASE_CONN_MAX_AGE="0",
    )
    assert s["conn_max_age"] == 0


def test_the_test_settings_ignore_a_developers_env(tmp_path):
    # The README's development advice, which would let the SSRF tests reach loopback.
    dotenv = tmp_path / ".env"
    dotenv.write_text("NEWSWATCH_ALLOWED_NETWORKS=127.0.0.0/8\nCELERY_BROKER_URL=redis://x:1/0\n")
    assert _load_settings("config.settings.dev", dotenv)["allowed_networks"] == ["127.0.0.0/8"]
    s = _load_settings("config.settings.test", dotenv)
    assert s["read_env_calls"] == []
    assert s["allowed_networks"] == []
    assert s["broker"] == "memory://"


def test_the_process_environment_still_configures_the_test_settings(tmp_path):
    # .ci/run points the suite at PostgreSQL and Redis this way.
    s = _load_settings(
        "config.settings.test", tmp_path / "absent", CELERY_BROKER_URL="redis://127.0.0.1:1/1"
    )
    assert s["broker"] == "redis://127.0.0.1:1/1"


def _example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").splitlines()


def test_every_line_of_the_example_is_a_comment():
    # An uncommented `NAME=` sets NAME to "", which django-environ takes over the default.
    assert [line for line in _example_lines() if line and not line.startswith("#")] == []


def test_the_example_documents_every_variable_the_settings_read():
    settings_dir = ROOT / "config" / "settings"
    read = set()
    for path in settings_dir.glob("*.py"):
        read |= set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    assert read, "no env.<type>(NAME) calls found"
    documented = set()
    for line in _example_lines():
        m = re.match(r"#\s*([A-Z][A-Z0-9_]+)=", line)
        if m:
            documented.add(m.group(1))
    assert read - documented == set()
    assert "POSTGRES_PASSWORD" in documented
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "DJANGO_SETTINGS_MODULE" in text
