"""Settings come from the environment and bad values stop start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ovp_assess import env

ROOT = Path(__file__).resolve().parent.parent


def test_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env.env_bool("DJANGO_DEBUG")


def test_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_EMAIL_PORT"):
        env.env_int("DJANGO_EMAIL_PORT", 25)


def test_bad_database_url_names_the_variable(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x/y")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.env_database("DATABASE_URL", "sqlite:///x")


def test_sqlite_in_the_project_folder_is_the_default(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"


def _manage(*args, **environ):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **environ},
        capture_output=True, text=True, check=False,
    )


def test_production_start_without_secret_key_fails_naming_it():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_manage_check_is_clean_with_a_secret_key():
    result = _manage("check", "--fail-level", "WARNING", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
