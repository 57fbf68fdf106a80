"""Settings fail loudly (STYLE 11) and the production profile passes `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from marketdesk.core import env

ROOT = Path(__file__).resolve().parents[2]


def test_missing_required_variable_names_it(monkeypatch):
    monkeypatch.delenv("MARKETDESK_SOME_REQUIRED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MARKETDESK_SOME_REQUIRED"):
        env.get_str("MARKETDESK_SOME_REQUIRED")


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("MARKETDESK_FLAG", raw)
    assert env.get_bool("MARKETDESK_FLAG") is expected


def test_malformed_values_name_the_variable(monkeypatch):
    monkeypatch.setenv("MARKETDESK_FLAG", "maybe")
    monkeypatch.setenv("MARKETDESK_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="MARKETDESK_FLAG must be a boolean"):
        env.get_bool("MARKETDESK_FLAG")
    with pytest.raises(ImproperlyConfigured, match="MARKETDESK_NUMBER must be an integer"):
        env.get_int("MARKETDESK_NUMBER")


def test_lists(monkeypatch):
    monkeypatch.setenv("MARKETDESK_HOSTS", " a.example , b.example,,")
    assert env.get_list("MARKETDESK_HOSTS") == ["a.example", "b.example"]


def _manage(args, extra_env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MARKETDESK_")}
    environment.update(extra_env)
    environment["PYTHONPATH"] = str(ROOT / "src")
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in tests only
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_requires_secret_key(tmp_path):
    result = _manage(["check"], {"MARKETDESK_ENV": "production",
                                 "MARKETDESK_ALLOWED_HOSTS": "marketdesk.example.com",
                                 "MARKETDESK_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "MARKETDESK_SECRET_KEY is required" in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(["check", "--deploy", "--fail-level", "WARNING"], {
        "MARKETDESK_ENV": "production",
        "MARKETDESK_SECRET_KEY": "k" * 20 + "-production-secret-0123456789-abcdefghijklmnop",
        "MARKETDESK_ALLOWED_HOSTS": "marketdesk.example.com",
        "MARKETDESK_DATA_DIR": str(tmp_path),
    })
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
