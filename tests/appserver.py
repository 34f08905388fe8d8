"""A real Yishi server for tests: Daphne in a subprocess with its own database.

The server gets its own database (a SQLite file, or a fresh PostgreSQL
database when DATABASE_URL is set) and, with REDIS_URL, a private key prefix
on the real Redis. It is loaded with `manage.py load_demo`, whose printed
links tests follow, as a newcomer would.
"""

import atexit
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from bench.servers import Database, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]


class Demo:
    """The demo compound, migrated and loaded once per test process; each
    LiveServer starts from a copy of its database (a file copy, or a
    PostgreSQL template) instead of migrating and loading again."""

    BASE = "http://demo.invalid"  # load_demo prints links on it; servers swap in their own

    _made = None

    @classmethod
    def get(cls, tmp_path_factory):
        if cls._made is None:
            cls._made = cls(tmp_path_factory)
            atexit.register(cls._made.db.drop)
        return cls._made

    def __init__(self, tmp_path_factory):
        self.workdir = tmp_path_factory.mktemp("demo")
        self.db = Database(self.workdir, "demo")
        # One key for the copies: the demo's owner keys were derived from it.
        self.secret_key = "e2e-" + uuid.uuid4().hex
        self.static_root = str(tmp_path_factory.getbasetemp() / "static")
        env = server_env(self.db, self.workdir, self.secret_key, self.static_root)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput")
        self.output = manage(env, "load_demo", "--base-url", self.BASE)


def server_env(db, workdir, secret_key, static_root):
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SQLITE_PATH"}}
    env.update(db.env)
    env.update(
        DEBUG="1",
        SECRET_KEY=secret_key,
        YISHI_VAR_DIR=str(workdir),
        REDIS_PREFIX=f"yishi-e2e-{uuid.uuid4().hex[:8]}",
        PYTHONUNBUFFERED="1",
        # Served as every mode serves them: hashed and gzipped (deliberation/staticfiles.py).
        STATIC_ROOT=static_root,
    )
    return env


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


class LiveServer:
    def __init__(self, tmp_path_factory):
        demo = Demo.get(tmp_path_factory)
        self.workdir = tmp_path_factory.mktemp("e2e")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = Database(self.workdir, "e2e", copy_of=demo.db)
        self.env = server_env(self.db, self.workdir, demo.secret_key, demo.static_root)
        self.demo_output = demo.output.replace(Demo.BASE, self.base)
        self.links = parse_demo_links(self.demo_output)
        self.log = open(self.workdir / "daphne.log", "w")
        self.process = None
        self.start()

    def manage(self, *args):
        return manage(self.env, *args)

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
        wait_for_port(port, process, timeout=30)
        return process

    def log_tail(self, lines=80):
        """The end of the servers' log (requests and warnings), for a failure report."""
        self.log.flush()
        text = (self.workdir / "daphne.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, kill=False):
        if self.process and self.process.poll() is None:
            (self.process.kill if kill else self.process.terminate)()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Daphne waits for open websockets to finish before it exits; a
                # browser that has not yet closed its socket can hold it past
                # any sensible wait, and the test is over by then.
                self.process.kill()
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
        "owners": r"Owners' meeting \([^)]*\):\s+(\S+)",
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
