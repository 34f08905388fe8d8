"""Production mode from the environment: safe by default, clean deploy check;
what a fresh checkout needs for its commands and browser tests."""

import os
import secrets
import shutil
import subprocess
import sys

import pytest

from tests.appserver import ROOT


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY"}}
    clean.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = manage("check", DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production mode" in result.stderr


def test_the_deploy_check_is_clean_in_production_mode():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="yishi.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key_even_with_a_development_key(tmp_path):
    (tmp_path / "secret_key").write_text("dev-" + secrets.token_urlsafe(50))
    result = manage("check", DEBUG="0", YISHI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production mode" in result.stderr


def test_debug_unset_without_a_development_key_refuses_and_generates_none(tmp_path):
    result = manage("check", YISHI_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production mode" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_commands_typed_after_make_run_use_its_development_key(tmp_path):
    # What the README shows (`.venv/bin/python manage.py tally ...`), DEBUG
    # unset, on a checkout where `make run` generated var/secret_key.
    key = "dev-" + secrets.token_urlsafe(50)
    (tmp_path / "secret_key").write_text(key + "\n")
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)",
        YISHI_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", key]


# .ci/browser-deps: `make test` runs it before pytest, .ci/run through it.
BROWSER_DEPS = ROOT / ".ci" / "browser-deps"


def browser_deps(script=BROWSER_DEPS, path=None, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"CHROMIUM", "BROWSER_DEPS_INSTALL"}}
    clean.update(env)
    if path:
        clean["PATH"] = f"{path}:{clean['PATH']}"
    return subprocess.run(["bash", str(script)], env=clean, capture_output=True, text=True, timeout=60)


def fake_commands(tmp_path, **scripts):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return bin_dir


def without_default_chromium(tmp_path):
    """The script as on a machine with no /usr/bin/chromium."""
    script = tmp_path / "browser-deps"
    script.write_text(
        BROWSER_DEPS.read_text().replace("default_chromium=/usr/bin/chromium", f"default_chromium={tmp_path}/chromium")
    )
    return script


def test_browser_deps_does_nothing_when_chromium_and_fonts_are_there():
    if not os.access("/usr/bin/chromium", os.X_OK) or not shutil.which("dpkg-query"):
        pytest.skip("needs Debian's chromium")
    result = browser_deps()
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_browser_deps_stops_at_once_with_one_line_for_a_chromium_that_is_not_there():
    result = browser_deps(CHROMIUM="/nonexistent")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "CHROMIUM=/nonexistent" in result.stderr and "make test-fast" in result.stderr


def test_browser_deps_without_root_or_sudo_names_the_command(tmp_path):
    log = tmp_path / "apt.log"
    bin_dir = fake_commands(tmp_path, id="echo 1000", sudo="exit 1", **{"apt-get": f'echo "$*" >> {log}'})
    result = browser_deps(without_default_chromium(tmp_path), path=bin_dir)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "`sudo apt-get install -y chromium" in result.stderr
    assert not log.exists()


def test_browser_deps_as_root_installs_with_apt_get(tmp_path):
    log = tmp_path / "apt.log"
    chromium = tmp_path / "chromium"
    # The fake apt-get "installs" Chromium where the script looks for it.
    bin_dir = fake_commands(
        tmp_path, id="echo 0", **{"apt-get": f'echo "$*" >> {log}; touch {chromium}; chmod +x {chromium}'}
    )
    result = browser_deps(without_default_chromium(tmp_path), path=bin_dir)
    lines = log.read_text().splitlines()
    assert lines[0] == "update -q"
    assert lines[1].startswith("install -y -q chromium")
    if "fonts-noto-cjk" not in lines[1]:
        assert result.returncode == 0, result.stderr
