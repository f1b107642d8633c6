"""Production settings: check --deploy is clean, misconfiguration stops start-up naming the
variable, storage follows the environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_SECRET_KEY": "a-production-like-secret-" + "x7Kq2mZ9vB4nP8wL3rT6yH1jF5dS0gA" * 2,
    "DJANGO_ALLOWED_HOSTS": "ovp.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://ovp.example.org",
}


def _run(code_or_args, **environ):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    args = code_or_args if isinstance(code_or_args, list) else [
        "-c", "import django; django.setup(); " + code_or_args]
    return subprocess.run(  # noqa: S603 - our own code
        [sys.executable, *args], cwd=ROOT, env={**clean, **environ,
                                                "DJANGO_SETTINGS_MODULE": "ovp_assess.settings"},
        capture_output=True, text=True, check=False, timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_defaults_are_secure():
    result = _run(
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_AGE <= 86400, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "True",
                                     "[\"'self'\"]"], result.stderr


@pytest.mark.parametrize("variable,value", [
    ("DJANGO_DEBUG", "maybe"),
    ("DATABASE_URL", "nosuchdb://x/y"),
    ("DJANGO_EMAIL_PORT", "smtp"),
    ("DJANGO_SESSION_COOKIE_AGE", "0"),
    ("DJANGO_SECURE_HSTS_SECONDS", "a year"),
    ("DJANGO_LOGIN_FAILURE_LIMIT", "five"),
    ("DJANGO_MAX_REQUEST_BYTES", "20MB"),
    ("DJANGO_LOG_FORMAT", "xml"),
    ("DJANGO_LOG_LEVEL", "LOUD"),
])
def test_bad_values_stop_start_up_naming_the_variable(variable, value):
    result = _run(["manage.py", "check"], **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_files_are_on_local_disk_by_default():
    result = _run("from django.core.files.storage import storages; d = storages[\"default\"]; "
                  "print(type(d).__name__)", **PRODUCTION)
    assert result.stdout.strip() == "FileSystemStorage", result.stderr


def test_s3_bucket_in_the_environment_selects_s3_storage_without_network():
    result = _run(
        "from django.core.files.storage import storages; d = storages[\"default\"]; "
        "print(type(d).__name__, d.bucket_name, d.endpoint_url, d.location, d.default_acl, "
        "d.file_overwrite)",
        **PRODUCTION, DJANGO_S3_BUCKET="ovp-files", DJANGO_S3_ENDPOINT_URL="http://127.0.0.1:9",
        DJANGO_S3_ACCESS_KEY_ID="key", DJANGO_S3_SECRET_ACCESS_KEY="secret",
    )
    assert result.stdout.split() == [
        "S3Storage", "ovp-files", "http://127.0.0.1:9", "media", "None", "False"
    ], result.stderr
