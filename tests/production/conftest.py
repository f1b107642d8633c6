"""Helpers for tests that start real processes (workers, restores) on the test database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict=None):
    """The URL of the database this test runs on, for a child process."""
    s = settings_dict or connection.settings_dict
    if connection.vendor != "postgresql":
        raise RuntimeError("child processes share only a PostgreSQL test database")
    return (f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or 'localhost'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}")


def child_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(extra)
    return env


def manage(*args, env, timeout=120, check=True):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout, check=check,
    )


def popen_manage(*args, env):
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs PostgreSQL (child processes share the test database); CI runs it there",
)
