"""A real Yishi server for tests: Daphne in a subprocess with its own database.

The server gets its own database (a SQLite file, or a fresh PostgreSQL
database when DATABASE_URL is set) and, with REDIS_URL, a private key prefix
on the real Redis. It is loaded with `manage.py load_demo`, whose printed
links tests follow, as a newcomer would.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


class _Database:
    """A database of the server's own: SQLite file or a throwaway PostgreSQL db."""

    def __init__(self, workdir):
        self.url = os.environ.get("DATABASE_URL", "")
        self.name = None
        self.env = {}
        if self.url:
            import psycopg

            self.name = f"yishi_e2e_{uuid.uuid4().hex[:8]}"
            parts = urlsplit(self.url)
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"')
            self.env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.env["SQLITE_PATH"] = str(workdir / "e2e.sqlite3")

    def drop(self):
        if self.name:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class LiveServer:
    def __init__(self, tmp_path_factory):
        self.workdir = tmp_path_factory.mktemp("e2e")
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = _Database(self.workdir)
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SQLITE_PATH"}}
        env.update(self.db.env)
        env.update(
            DEBUG="1",
            SECRET_KEY="e2e-" + uuid.uuid4().hex,
            YISHI_VAR_DIR=str(self.workdir),
            REDIS_PREFIX=f"yishi-e2e-{uuid.uuid4().hex[:8]}",
            PYTHONUNBUFFERED="1",
        )
        self.env = env
        self.manage("migrate", "--noinput")
        self.demo_output = self.manage("load_demo", "--base-url", self.base)
        self.links = parse_demo_links(self.demo_output)
        self.log = open(self.workdir / "daphne.log", "w")
        self.process = None
        self.start()

    def manage(self, *args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self):
        self.process = self.daphne(self.port)

    def daphne(self, port):
        """A Daphne process on `port` serving this server's database (and Redis)."""
        daphne = Path(sys.executable).with_name("daphne")
        process = subprocess.Popen(
            [str(daphne), "-b", "127.0.0.1", "-p", str(port), "deliberation.asgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        _wait_for_port(port, process)
        return process

    def stop(self, kill=False):
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            self.process.wait(timeout=10)

    def close(self):
        self.stop()
        self.log.close()
        self.db.drop()


def parse_demo_links(output):
    """The links load_demo prints: staff passwords, console, projector, residents."""
    links = {"passwords": dict(re.findall(r"^\s+(\w+) / (\S+)$", output, re.M))}
    for name, pattern in {
        "login": r"Staff log in:\s+(\S+)",
        "console": r"Console:\s+(\S+)",
        "projector": r"Projector:\s+(\S+)",
        "join": r"Join \(phones\):\s+(\S+)",
    }.items():
        links[name] = re.search(pattern, output).group(1)
    links["residents"] = re.findall(r"Resident (\S+): (\S+)\s+\(code (\S+)\)", output)
    return links


class Phone:
    """One household's browser: its own cookies, join, then vote."""

    def __init__(self, base, meeting, code):
        self.base, self.meeting, self.code = base, meeting, code
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.key = f"burst-{code}"

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def join(self):
        url = f"{self.base}/m/{self.meeting}/"
        self.opener.open(url, timeout=10).read()
        data = urllib.parse.urlencode({"code": self.code, "csrfmiddlewaretoken": self.csrf()}).encode()
        self.opener.open(url, data=data, timeout=10).read()

    def vote(self, poll, choice="for"):
        """True only when the server acknowledged the vote (after its commit)."""
        data = urllib.parse.urlencode({"choice": choice, "key": self.key}).encode()
        request = urllib.request.Request(
            f"{self.base}/m/{self.meeting}/vote/{poll}/",
            data=data,
            headers={"Accept": "application/json", "X-CSRFToken": self.csrf()},
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return json.loads(response.read()).get("recorded") is True
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return False
