import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **env},
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="x" * 20 + "-a-long-random-production-secret-0123456789-abcdefghij",
        ALLOWED_HOSTS="targets.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_database_comes_from_database_url(monkeypatch):
    import dj_database_url

    config = dj_database_url.parse("postgres://postgres@127.0.0.1:5432/test")
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.postgresql", "test")


def test_models_and_migrations_are_in_step():
    result = _manage("makemigrations", "--check", "--dry-run", DJANGO_SETTINGS_MODULE="config.settings.test")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("setting, value", [("LANGUAGE_CODE", "zh-hans"), ("TIME_ZONE", "Asia/Shanghai")])
def test_the_app_speaks_chinese_in_china_time(settings, setting, value):
    assert getattr(settings, setting) == value
