"""Set-up and deployment: production settings from the environment pass Django's deployment checks,
and the `treem` console script runs commands from any working directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TREEM = Path(sys.executable).with_name("treem")


def run(args, env_extra, cwd):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_extra)
    return subprocess.run([str(TREEM), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_check_deploy_passes_with_production_environment(tmp_path):
    result = run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "k" * 20 + "-production-secret-0123456789-abcdefghij",
            "ALLOWED_HOSTS": "treem.example.gov.vn",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run(["check"], {"DEBUG": "0", "SECRET_KEY": ""}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("dashed", ["setup-treem", "setup_treem"])
def test_console_script_accepts_dashed_command_names(tmp_path, dashed):
    result = run([dashed, "--help"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Nạp đơn vị hành chính" in result.stdout
