"""The servers under test, each in a process of its own: the app (one or two
Daphne processes on a database and channel layer of their own) and the floor.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The last line of a traceback: "psycopg.OperationalError: connection failed: ..."
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit): .*$", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


def rss_kb(pid):
    """Resident memory of a process (VmRSS, KB)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Database:
    """A server's own database: a SQLite file in `workdir`, or a fresh
    PostgreSQL database on DATABASE_URL's server, dropped at the end. Used by
    the bench and by tests/appserver.py; `purpose` names the files and databases."""

    def __init__(self, workdir, purpose="bench", copy_of=None):
        """`copy_of`: another Database to start from, a copy of its data
        (PostgreSQL's CREATE DATABASE ... TEMPLATE, SQLite's backup)."""
        self.url = os.environ.get("DATABASE_URL", "")
        self.name = None
        self.env = {}
        if self.url:
            import psycopg

            self.name = f"yishi_{purpose}_{uuid.uuid4().hex[:8]}"
            parts = urlsplit(self.url)
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            template = f' TEMPLATE "{copy_of.name}"' if copy_of else ""
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.name}"{template}')
            self.env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.name))
        else:
            self.env["SQLITE_PATH"] = str(Path(workdir) / f"{purpose}.sqlite3")
            if copy_of:
                import sqlite3

                with (
                    sqlite3.connect(copy_of.env["SQLITE_PATH"]) as source,
                    sqlite3.connect(self.env["SQLITE_PATH"]) as target,
                ):
                    source.backup(target)

    @property
    def kind(self):
        return "postgresql" if self.name else "sqlite"

    def drop(self):
        if self.name:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class App:
    """The real app: migrate, load the bench data, serve with Daphne."""

    def __init__(self, workdir, processes=1, base_port=None, settings="deliberation.settings"):
        self.workdir = Path(workdir)
        self.settings = settings
        self.redis_url = os.environ.get("REDIS_URL", "")
        self.prefix = f"yishi-bench-{uuid.uuid4().hex[:8]}"
        self.db = Database(workdir)
        self.ports = [base_port + i for i in range(processes)] if base_port else [free_port() for _ in range(processes)]
        self.processes = []
        self.logs = []
        self.env = self._env()

    def _env(self):
        drop = {"DJANGO_SETTINGS_MODULE", "SQLITE_PATH", "DATABASE_URL"}
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env.update(self.db.env)
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings,
            # Production mode, as deployed behind nginx (docs/deploy.md): the
            # load generator says what the proxy would (X-Forwarded-Proto).
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1",
            SECRET_KEY="bench-" + uuid.uuid4().hex,
            YISHI_VAR_DIR=str(self.workdir),
            STATIC_ROOT=str(self.workdir / "static"),
            REDIS_PREFIX=self.prefix,
            # Correct codes are never limited, but the whole room shares one address.
            CODE_ATTEMPTS_PER_ADDRESS="1000000",
            PYTHONUNBUFFERED="1",
        )
        return env

    @property
    def layer(self):
        return "redis-pubsub" if self.redis_url else "in-memory"

    def manage(self, *args):
        return self._python("manage.py", *args)

    def setup_data(self, households):
        # Pages link hashed static names: production collects them first (docs/deploy.md).
        self.manage("collectstatic", "--noinput", "-v", "0")
        self.manage("migrate", "--noinput")
        return json.loads(self._python("-m", "bench.appdata", "setup", "--households", str(households)))

    def ballots(self, poll_id, attempts=4):
        """The ballots in the database; retried, since a server that leaks
        database connections can leave none for us for a while."""
        for attempt in range(attempts):
            try:
                return json.loads(self._python("-m", "bench.appdata", "ballots", "--poll", str(poll_id)))
            except RuntimeError:
                if attempt == attempts - 1:
                    raise
                time.sleep(20)

    def _python(self, *args):
        result = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self):
        daphne = Path(sys.executable).with_name("daphne")
        for port in self.ports:
            log = open(self.workdir / f"daphne-{port}.log", "w")
            self.logs.append(log)
            self.processes.append(
                subprocess.Popen(
                    [str(daphne), "-b", "127.0.0.1", "-p", str(port), "deliberation.asgi:application"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for port, process in zip(self.ports, self.processes, strict=True):
            wait_for_port(port, process)

    @property
    def pids(self):
        return [p.pid for p in self.processes]

    def rss_kb(self):
        return sum(rss_kb(pid) for pid in self.pids)

    def cpu_seconds(self):
        return sum(cpu_seconds(pid) for pid in self.pids)

    def log_tail(self, lines=30):
        tails = []
        for port in self.ports:
            text = (self.workdir / f"daphne-{port}.log").read_text(errors="replace").splitlines()
            tails.append(f"--- daphne :{port}\n" + "\n".join(text[-lines:]))
        return "\n".join(tails)

    def errors(self, top=5):
        """The most frequent exceptions in the servers' logs: what the 500s were."""
        found = Counter()
        for port in self.ports:
            text = (self.workdir / f"daphne-{port}.log").read_text(errors="replace")
            found.update(m.group(0)[:200] for m in EXCEPTION_LINE.finditer(text))
        return found.most_common(top)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()

    def cleanup(self):
        self.db.drop()
        if self.redis_url:
            _delete_redis_keys(self.redis_url, self.prefix)


def _delete_redis_keys(url, prefix):
    """The run's cache keys (the pub/sub layer keeps none)."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


class Floor:
    """bench/floor_server.py in its own process."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.floor_server", "--port", str(self.port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def rss_kb(self):
        return rss_kb(self.process.pid)

    def cpu_seconds(self):
        return cpu_seconds(self.process.pid)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


class Profiler:
    """Optional (--profile DIR): py-spy samples each server process per phase,
    written as collapsed stacks DIR/<phase>-<pid>.txt (flamegraph input).
    py-spy is not a dependency: `pip install py-spy` into the venv first."""

    def __init__(self, outdir, pids, gil=False):
        import shutil

        self.outdir, self.pids, self.gil = Path(outdir), pids, gil
        self.exe = str(Path(sys.executable).with_name("py-spy"))
        if not Path(self.exe).exists():
            self.exe = shutil.which("py-spy")
        if self.exe is None:
            raise RuntimeError("--profile needs py-spy: .venv/bin/pip install py-spy")
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.running = []

    def start(self, phase):
        self.stop()
        name = phase.replace(" ", "-")
        for pid in self.pids:
            out = self.outdir / f"{name}-{pid}.txt"
            self.running.append(
                subprocess.Popen(
                    [
                        self.exe,
                        "record",
                        "--pid",
                        str(pid),
                        "--format",
                        "raw",
                        "--output",
                        str(out),
                        "--nonblocking",
                        "--rate",
                        "400",
                        *(["--gil"] if self.gil else []),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def stop(self):
        import signal

        for process in self.running:
            process.send_signal(signal.SIGINT)
        for process in self.running:
            process.wait(timeout=30)
        self.running = []
