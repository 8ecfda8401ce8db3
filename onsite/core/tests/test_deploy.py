"""The production profile: `check --deploy` is clean, and weak settings refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k3y-" + "x7Qz9!pL2#vB8mN4" * 4


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SECRET_", "DEBUG", "PRODUCTION", "MEDIA_STORAGE"))
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"  # the browser tests' setting, never production's
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PRODUCTION="1",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="onsite.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_the_profile_check_deploy_complains():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"PRODUCTION": "1"},
        {"PRODUCTION": "1", "SECRET_KEY": "short"},
        {"PRODUCTION": "1", "SECRET_KEY": STRONG_KEY, "DEBUG": "1"},
    ],
)
def test_production_refuses_weak_settings(env):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "PRODUCTION=1 needs DEBUG=0 and a random SECRET_KEY" in result.stderr


def test_a_short_audit_retention_fails_the_checks():
    result = manage("check", AUDIT_RETENTION_DAYS="90")
    assert result.returncode != 0
    assert "audit.E001" in result.stderr


def test_object_storage_is_one_setting_away():
    result = manage(
        "shell",
        "-c",
        "from django.core.files.storage import default_storage as s; "
        "print(s.__class__.__name__, s.bucket_name, s.default_acl)",
        MEDIA_STORAGE="s3",
        S3_BUCKET="onsite-photos",
        S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )
    assert result.returncode == 0, result.stderr
    assert "S3Storage onsite-photos private" in result.stdout
