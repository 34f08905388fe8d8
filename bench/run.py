"""`make bench`: the app under load, beside the floor, on this machine.

    python bench/run.py [--clients 2000] [--changes 20] [--soak 10] [--processes 1|2]

1. The floor: bench/floor_server.py (bare `websockets` broadcast) with N
   clients and the same scheduled fan-out as the app gets.
2. The app: Daphne (one or two processes) on a database of its own; N phones
   join through the real join flow and open their websockets, with the
   projector and the facilitator's console; then the fan-out of M facilitator
   changes, a vote burst by every household, an idle soak with live.js's pings,
   and one more change after the soak.
3. A table, bench/results/latest.json, and a last line `RESULT ...` (README.md).

The load generator is this process; every server runs in a process of its
own. bench/README.md says what each figure means.
"""

import argparse
import asyncio
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from bench.clients import Socket, close_all, count_late, open_all, ping_every, sleep_until  # noqa: E402
from bench.httpclient import Browser  # noqa: E402
from bench.measure import Phases, Resyncs, Usage, client_gc_paused, fanout, summary_ms  # noqa: E402
from bench.report import finite, print_report, result_line  # noqa: E402
from bench.servers import App, Floor, Profiler  # noqa: E402

LANG = "zh-hans"
PING_PERIOD = 25.0  # live.js
WATCHDOG = 10.0  # live.js closes a socket whose pong is this late
CHOICES = ("for", "against", "abstain")
TURNOUT = re.compile(rb'data-testid=\\"ballots-cast\\">(\d+)<')

TARGETS = {
    "fanout_p99_ratio": 2.0,
    "vote_p99_ms": 1000,
    "projector_final_ms": 1000,
    "kb_per_conn": 40,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=2000, help="households, phones and resident sockets (N)")
    parser.add_argument("--changes", type=int, default=20, help="facilitator changes in the fan-out (M)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between scheduled changes")
    parser.add_argument("--soak", type=float, default=10.0, help="minutes all sockets stay idle (pinging)")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1, help="Daphne processes (2 need REDIS_URL)")
    parser.add_argument("--port", type=int, default=None, help="first Daphne port (default: free ports)")
    parser.add_argument("--concurrency", type=int, default=50, help="socket opens in flight at once")
    parser.add_argument(
        "--join-window",
        type=float,
        default=10.0,
        help="seconds over which the phones arrive to join (open loop: arrivals do not wait for answers)",
    )
    parser.add_argument(
        "--pollers",
        type=float,
        default=0.0,
        help="share of the phones (0-1) that poll /live/ every ~3 s instead of holding a socket (live.js's fallback)",
    )
    parser.add_argument("--vote-window", type=float, default=10.0, help="seconds over which all households vote")
    parser.add_argument("--vote-timeout", type=float, default=60.0, help="a phone gives up on its vote after (s)")
    parser.add_argument("--timeout", type=float, default=10.0, help="a push later than this (s) counts as lost")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument("--skip-floor", action="store_true", help="measure the app only (no ratios)")
    parser.add_argument(
        "--settings", default="deliberation.settings", help="the servers' Django settings module (to try a change)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the servers' work directory (logs)")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy each Daphne process per phase into DIR")
    parser.add_argument(
        "--profile-gil", action="store_true", help="sample only the thread holding the GIL (Python CPU, not waits)"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.processes == 2 and not os.environ.get("REDIS_URL"):
        print(
            "--processes 2 needs REDIS_URL: two Daphne processes share pushes only through the Redis "
            "channel layer (the in-memory layer is per process). E.g. REDIS_URL=redis://127.0.0.1:6379/0",
            file=sys.stderr,
        )
        return 2
    raise_fd_limit(args.clients * 3 + 1000)
    try:
        results = asyncio.run(run(args))
    except asyncio.CancelledError:
        print("interrupted: servers stopped, database dropped", file=sys.stderr)
        return 130
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(finite(results), indent=2, ensure_ascii=False))
    print_report(results)
    print(f"(written to {args.output})")
    print(result_line(results))
    return 0


def raise_fd_limit(wanted):
    """Every socket is a file descriptor, on both sides; servers inherit this."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(hard, max(soft, wanted))
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        print(f"warning: only {target} file descriptors (wanted {wanted})", file=sys.stderr)


async def run(args):
    # Ctrl-C or kill: unwind, so the servers stop and the database is dropped.
    loop, task = asyncio.get_running_loop(), asyncio.current_task()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    results = {
        "config": {
            "clients": args.clients,
            "changes": args.changes,
            "interval_s": args.interval,
            "soak_min": args.soak,
            "processes": args.processes,
            "vote_window_s": args.vote_window,
            "join_window_s": args.join_window,
            "pollers": args.pollers,
            "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
            "layer": "redis-pubsub" if os.environ.get("REDIS_URL") else "in-memory",
            "cpus": os.cpu_count(),
            "app_commit": _git("rev-parse", "--short", "HEAD"),
            # Uncommitted app changes the run included (others edit this checkout).
            "app_changes": _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench", ":!tests"),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    }
    if args.skip_floor:
        results["floor"], results["app"] = None, await bench_app(args)
        return results
    # The floor runs before and after the app, and the better of the two
    # counts: other work on the machine can only make a floor slower, and a
    # slow floor would flatter every ratio.
    floors = [await bench_floor(args)]
    results["app"] = await bench_app(args)
    floors.append(await bench_floor(args))
    results["floor"] = min(floors, key=lambda f: f["latency_ms"]["p99"])
    results["floor_runs"] = [{"latency_ms": f["latency_ms"], "cpu": f["cpu"]} for f in floors]
    return results


def _git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        return None


# --- The floor -------------------------------------------------------------------


async def bench_floor(args):
    floor = Floor()
    floor.start()
    try:
        rss_before = floor.rss_kb()
        sockets = [Socket(f"ws://127.0.0.1:{floor.port}/") for _ in range(args.clients)]
        half = len(sockets) // 2
        failures = await open_all(sockets[:half], args.concurrency)
        await asyncio.sleep(1)
        rss_half = floor.rss_kb()
        failures += await open_all(sockets[half:], args.concurrency)
        await asyncio.sleep(1)
        rss_after = floor.rss_kb()
        control = await connect(f"ws://127.0.0.1:{floor.port}/control", proxy=None, compression=None)

        async def trigger(k):
            await control.send(str(k + 1))

        with client_gc_paused(), Usage(floor.cpu_seconds) as usage:
            result = await fanout(
                sockets,
                trigger,
                lambda: list(range(1, args.changes + 1)),
                count=args.changes,
                interval=args.interval,
                timeout=args.timeout,
            )
        result["cpu"] = usage.figures
        result["open_failures"] = len(failures)
        result["kb_per_conn"] = round((rss_after - rss_before) / max(1, args.clients), 1)
        result["marginal_kb_per_conn"] = round((rss_after - rss_half) / max(1, args.clients - half), 1)
        result["push_bytes"] = _mean_push_bytes(sockets)
        await control.close()
        await close_all(sockets)
        return result
    finally:
        floor.stop()


# --- The app ---------------------------------------------------------------------


async def bench_app(args):
    workdir = tempfile.mkdtemp(prefix="yishi-bench-")
    app = App(workdir, args.processes, args.port, args.settings)
    out = {"database": app.db.kind, "layer": app.layer, "processes": args.processes}
    try:
        started = time.monotonic()
        data = app.setup_data(args.clients)
        out["setup_s"] = round(time.monotonic() - started, 1)
        app.start()
        profiler = Profiler(args.profile, app.pids, gil=args.profile_gil) if args.profile else None
        try:
            await run_app(args, app, data, out, Phases(profiler))
        finally:
            if profiler:
                profiler.stop()
    except BaseException:
        print(app.log_tail() if app.processes else "(no server started)", file=sys.stderr)
        raise
    finally:
        app.stop()
        app.cleanup()
        if args.keep:
            print(f"server logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return out


async def run_app(args, app, data, out, phases):
    # The facilitator logs in and the room's screens open before the room arrives.
    staff = await log_in(app.ports[0], data)
    screens = await open_screens(app, data, staff)
    await asyncio.sleep(1)
    memory = Memory(app)
    phases.start("join")
    with Usage(app.cpu_seconds) as usage:
        phones, residents, pollers, out["join"] = await join_storm(app.ports, data, args, memory)
    out["join"]["cpu"] = usage.figures
    out["connect"] = {"opened": len(residents) + len(pollers), "failed": args.clients - len(residents) - len(pollers)}
    await asyncio.sleep(1)
    out["memory"] = memory.figures(len(residents) + len(pollers))
    pages = Pages(screens.console, screens.projector, screens.turnout, residents)
    polling = asyncio.get_running_loop().create_task(poll_all(pollers)) if pollers else None

    phases.start("fanout")
    changes = Changes(staff, data["meeting_id"], pages.console)
    with client_gc_paused(), Usage(app.cpu_seconds) as usage, Resyncs(pages.residents) as resyncs:
        out["fanout"] = await changes.fan_out(pages.residents, args.changes, args.interval, args.timeout)
    out["fanout"].update(
        cpu=usage.figures,
        resyncs=resyncs.count,
        push_bytes=_mean_push_bytes(pages.residents),
        post_errors=changes.errors,
    )

    phases.start("votes")
    with client_gc_paused(), Usage(app.cpu_seconds) as usage, Resyncs(pages.residents) as resyncs:
        out["votes"] = await vote_burst(phones, data, args.vote_window, args.vote_timeout)
        # Until the servers are idle: the turnout pushes the votes caused are their cost too.
        out["votes"]["settle_s"] = await settle(app)
    out["votes"].update(cpu=usage.figures, resyncs=resyncs.count)
    out["votes"]["cpu_ms_per_vote"] = (
        round(usage.figures["server_cpu_s"] * 1000 / out["votes"]["acked"], 2) if out["votes"]["acked"] else None
    )
    out["votes"].update(check_ballots(app.ballots(data["poll_id"]), out["votes"]))
    out["votes"]["projector_final_ms"] = await projector_final(pages.turnout, out["votes"])

    phases.start("soak")
    with Usage(app.cpu_seconds) as usage, Resyncs(pages.residents) as resyncs:
        out["soak"] = await soak(pages.everyone, pages.residents, args.soak * 60)
    out["soak"].update(cpu=usage.figures, resyncs=resyncs.count)

    phases.start("after soak")
    after = await changes.fan_out(pages.residents, 1, args.interval, args.timeout)
    out["after_soak"] = {"lost": after["lost"], "latency_ms": after["latency_ms"]}
    out["server_errors"] = app.errors()
    if polling is not None:
        polling.cancel()
        out["pollers"] = poll_figures(pollers)
    out["disconnects"] = phases.disconnects(pages.everyone)
    out["out_of_order"] = sum(s.out_of_order for s in pages.everyone)
    await close_all(pages.everyone)


@dataclass
class Pages:
    """The open live pages: the console, the projector and every phone."""

    console: Socket
    projector: Socket
    turnout: "Turnout"
    residents: list

    @property
    def everyone(self):
        return [*self.residents, self.console, self.projector]


async def open_screens(app, data, staff):
    """The facilitator's console and the projector, open before the room arrives."""
    code, ports = data["meeting_code"], app.ports
    console = Socket(ws_url(ports[0], code, "facilitator"), headers=cookies(staff), origin=staff.origin)
    turnout = Turnout()
    projector = Socket(
        ws_url(ports[-1], code, "projector", key=data["projector_key"]), origin=_origin(ports[-1]), watch=turnout
    )
    await console.open()
    await projector.open()
    return Pages(console, projector, turnout, [])


class Memory:
    """The servers' memory per joined phone (its session, its socket): resident
    memory (every Daphne process summed) before the storm, when half the
    phones are live, and after. The second half's growth is the marginal
    cost, free of heap the first joins' garbage left behind to reuse (read
    while the storm goes on, so approximate); at N of a few hundred both are
    noise."""

    def __init__(self, app):
        self.app = app
        self.before = app.rss_kb()
        self.half = self.at_half = None

    def live(self, count, total):
        if self.half is None and count >= total // 2:
            self.half, self.at_half = self.app.rss_kb(), count

    def figures(self, phones):
        after = self.app.rss_kb()
        half = self.half if self.half is not None else self.before
        return {
            "rss_before_kb": self.before,
            "rss_half_kb": self.half,
            "rss_after_kb": after,
            "kb_per_conn": round((after - self.before) / max(1, phones), 1),
            "marginal_kb_per_conn": round((after - half) / max(1, phones - (self.at_half or 0)), 1),
        }


def ws_url(port, code, audience, key=None):
    query = f"?lang={LANG}" + (f"&key={key}" if key else "")
    return f"ws://127.0.0.1:{port}/ws/m/{code}/{audience}/{query}"


def _origin(port):
    return f"http://127.0.0.1:{port}"


def cookies(browser):
    return {"Cookie": browser.cookie_header()}


def _mean_push_bytes(sockets):
    pushes = sum(s.pushes for s in sockets)
    return round(sum(s.push_bytes for s in sockets) / pushes) if pushes else None


# --- Joining -------------------------------------------------------------------


async def join_storm(ports, data, args, memory):
    """Everybody scans the projector's QR at once. Phone i arrives at
    t0 + i x window / N whatever the server has answered so far (open loop),
    and does what a phone does: GET the join page, POST its household code,
    GET the page the answer sends it to (the phone page, every panel in its
    HTML), and open that page's socket. Its join latency runs from its
    arrival to the socket's first full state: the page is usable and live.
    The sockets stay open for the rest of the run. Phones are spread
    round-robin over the server processes."""
    code = data["meeting_code"]
    codes = data["codes"][: args.clients]
    path = f"/m/{code}/"
    step = args.join_window / max(1, len(codes))
    t0 = time.monotonic() + 0.5
    failures = []
    live = 0

    def polls(i):
        # --pollers spread evenly over the room: phone i polls when the
        # running count of pollers steps up at i.
        return int((i + 1) * args.pollers) > int(i * args.pollers)

    async def join(i, household_code):
        nonlocal live
        port = ports[i % len(ports)]
        phone = Browser("127.0.0.1", port)
        due = t0 + i * step
        await sleep_until(due)
        try:
            status, _headers, _body = await phone.get(path)
            if status != 200 or "csrftoken" not in phone.cookies:
                raise RuntimeError(f"join page answered {status}")
            status, headers, _body = await phone.post(path, {"code": household_code})
            if status != 302 or "sessionid" not in phone.cookies:
                raise RuntimeError(f"join answered {status}")
            status, _headers, body = await phone.get(headers.get("location", path))
            if status != 200 or b'data-live="/ws/m/' not in body:
                raise RuntimeError(f"phone page answered {status}")
            if polls(i):
                # No socket: the page's first poll is its first live state.
                socket = Poller(phone, code, page_rev(body))
                await socket.poll()
                if socket.statuses[-1] not in (200, 304):
                    raise RuntimeError(f"first poll answered {socket.statuses[-1]}")
            else:
                socket = Socket(ws_url(port, code, "resident"), headers=cookies(phone), origin=phone.origin)
                await socket.open()
        except Exception as error:  # noqa: BLE001 - every failure is a figure
            failures.append(repr(error))
            return None, None, math.inf, None
        finished = time.monotonic()
        live += 1
        memory.live(live, len(codes))
        return phone, socket, finished - due, finished

    joins = await asyncio.gather(*(join(i, c) for i, c in enumerate(codes)))
    done = [finished for *_rest, finished in joins if finished is not None]
    seconds = (max(done) - t0) if done else math.inf
    figures = {
        "joined": len(done),
        "failed": len(failures),
        "failures": Counter(failures).most_common(5),
        "arrivals_s": args.join_window,
        # From the first arrival to the last phone live.
        "seconds": round(seconds, 1),
        "per_second": round(len(done) / seconds, 1) if done else 0,
        # A phone that never got there has an infinite join latency.
        "latency_ms": summary_ms([latency for _p, _s, latency, _f in joins]),
    }
    phones = [phone for phone, *_rest in joins if phone is not None]
    sockets = [socket for _p, socket, *_rest in joins if isinstance(socket, Socket)]
    pollers = [socket for _p, socket, *_rest in joins if isinstance(socket, Poller)]
    return phones, sockets, pollers, figures


PAGE_REV = re.compile(rb'data-rev="(\d+)"')
STATE_REV = re.compile(rb'"rev":\s*(\d+)')
POLL_EVERY = 3.0  # live.js, give or take a quarter


def page_rev(body):
    return max((int(m) for m in PAGE_REV.findall(body)), default=0)


class Poller:
    """A phone page without a socket: it asks /live/ for its state every
    POLL_EVERY s (+-25%), saying the revision it shows (live.js's fallback)."""

    def __init__(self, phone, code, rev):
        self.phone, self.rev = phone, rev
        self.path = f"/live/m/{code}/resident/?lang={LANG}&rev="
        self.statuses, self.latencies = [], []

    async def poll(self):
        started = time.monotonic()
        try:
            status, _headers, body = await self.phone.get(
                self.path + str(self.rev), headers={"Accept-Encoding": "identity"}
            )
        except Exception as error:  # noqa: BLE001 - a failed poll is a figure
            status, body = repr(error)[:80], b""
        self.latencies.append(time.monotonic() - started)
        self.statuses.append(status)
        if status == 200:
            match = STATE_REV.search(body)
            if match:
                self.rev = max(self.rev, int(match.group(1)))

    async def run(self):
        while True:
            await asyncio.sleep(POLL_EVERY * (0.75 + random.random() / 2))
            await self.poll()


async def poll_all(pollers):
    await asyncio.gather(*(poller.run() for poller in pollers))


def poll_figures(pollers):
    statuses = Counter(str(s) for p in pollers for s in p.statuses)
    total = sum(statuses.values())
    return {
        "pollers": len(pollers),
        "polls": total,
        "answers": dict(statuses),
        "not_modified_share": round(statuses.get("304", 0) / total, 3) if total else None,
        "latency_ms": summary_ms([t for p in pollers for t in p.latencies]),
    }


async def log_in(port, data):
    staff = Browser("127.0.0.1", port)
    await staff.get("/accounts/login/")
    status, _headers, _body = await staff.post(
        "/accounts/login/", {"username": data["username"], "password": data["password"]}
    )
    if status != 302:
        raise RuntimeError(f"staff login answered {status}")
    return staff


# --- Fan-out ---------------------------------------------------------------------


class Changes:
    """The facilitator's changes: one speaker added per change (a new name each
    time, so no speech limit or duplicate refusal), each pushing "speaker" and
    "queue" to every audience. The console's own socket tells each change's
    revision: it gets exactly one push per change."""

    def __init__(self, staff, meeting_id, console):
        self.staff, self.meeting_id, self.console = staff, meeting_id, console
        self.made = 0
        self.errors = []

    async def fan_out(self, residents, count, interval, timeout):
        self.console.log.clear()
        return await fanout(residents, self.make, self.revisions, count=count, interval=interval, timeout=timeout)

    async def make(self, _k):
        self.made += 1
        status, _headers, body = await self.staff.post(
            f"/staff/meetings/{self.meeting_id}/floor/add/",
            {"who": f"bench-{self.made}", "stance": "for"},
            headers={"HX-Request": "true"},
        )
        if status != 204:
            self.errors.append(f"{status}: {body[:200]!r}")

    def revisions(self):
        revs = []
        for _t, rev in self.console.log:
            if not revs or rev > revs[-1]:
                revs.append(rev)
        return revs


# --- Votes -----------------------------------------------------------------------


async def vote_burst(phones, data, window, timeout):
    """Every joined household votes once, at times spread evenly over `window`
    seconds, each with a unique idempotency key; ack latency runs from the
    scheduled time to the "recorded" answer after commit. A phone that
    has no answer after `timeout` seconds gives up: not acknowledged."""
    path = f"/m/{data['meeting_code']}/vote/{data['poll_id']}/"
    t0 = time.monotonic() + 1.0
    step = window / max(1, len(phones))
    run = os.urandom(4).hex()

    async def vote(i, phone):
        due = t0 + i * step
        await sleep_until(due)
        try:
            # As vote.js's htmx button does: the answer is the phone's own
            # line, HTML, 200 even for a refusal (htmx swaps only 2xx).
            status, _headers, body = await phone.post(
                path,
                {"choice": CHOICES[i % 3], "key": f"bench-{run}-{i}"},
                headers={"HX-Request": "true", "HX-Target": "my-vote", "Accept": "*/*"},
                timeout=timeout,
            )
        except Exception as error:  # noqa: BLE001 - a failed request is a figure
            return {"error": repr(error)}
        done = time.monotonic()
        recorded = status == 200 and b'class="recorded"' in body and b'class="error"' not in body
        if status == 200 and not recorded:
            status = "refused"  # counted with the non-200 answers
        return {"status": status, "recorded": recorded, "latency": done - due, "done": done}

    outcomes = await asyncio.gather(*(vote(i, phone) for i, phone in enumerate(phones)))
    acked = [o for o in outcomes if o.get("recorded")]
    return {
        "votes": len(outcomes),
        "acked": len(acked),
        # A vote never acknowledged has an infinite ack latency: if more than
        # 1% are, p99 is "inf", not the p99 of the lucky ones.
        "ack_ms": summary_ms([o["latency"] if o.get("recorded") else math.inf for o in outcomes]),
        "acked_only_ms": summary_ms([o["latency"] for o in acked]),
        "not_200": dict(Counter(o["status"] for o in outcomes if o.get("status", 200) != 200)),
        "errors": Counter(o["error"] for o in outcomes if "error" in o).most_common(5),
        "last_ack": max((o["done"] for o in acked), default=None),
    }


async def settle(app, idle_cores=0.15, longest=300):
    """Wait until the servers have worked off what they were given (requests a
    phone gave up on still run to the end): CPU under `idle_cores` for 2 s."""
    started = time.monotonic()
    quiet, last = 0, app.cpu_seconds()
    while quiet < 2 and time.monotonic() - started < longest:
        await asyncio.sleep(1)
        now = app.cpu_seconds()
        quiet = quiet + 1 if now - last < idle_cores else 0
        last = now
    return round(time.monotonic() - started, 1)


def check_ballots(db, votes):
    """What the database holds against what was acknowledged."""
    return {
        "db_ballots": db["ballots"],
        "lost": max(0, votes["acked"] - db["ballots"]),
        "unacknowledged_ballots": max(0, db["ballots"] - votes["acked"]),
        "dup": db["duplicates"],
    }


class Turnout:
    """The projector's count of ballots, from every push's turnout panel."""

    def __init__(self):
        self.seen = []  # (arrival, ballots cast)

    def __call__(self, now, data):
        match = TURNOUT.search(data)
        if match:
            self.seen.append((now, int(match.group(1))))


async def projector_final(turnout, votes, wait=10.0):
    """Milliseconds from the last ack until the projector shows the final count."""
    if votes["last_ack"] is None:
        return None
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        shown = next((t for t, n in turnout.seen if n >= votes["db_ballots"]), None)
        if shown is not None:
            return round((shown - votes["last_ack"]) * 1000, 1)
        await asyncio.sleep(0.05)
    return None


# --- Soak ------------------------------------------------------------------------


async def soak(everyone, residents, seconds):
    """All sockets idle but for live.js's pings; disconnects are counted by phase."""
    end = time.monotonic() + seconds
    # Stop pinging early enough that the last pings' answers are due in time.
    ping_until = end - min(WATCHDOG, seconds / 2)
    late = await ping_every(everyone, PING_PERIOD, ping_until, WATCHDOG)
    await sleep_until(end)
    late += count_late(everyone, WATCHDOG)
    rtts = [rtt for s in residents for rtt in s.pong_rtts]
    return {
        "seconds": round(seconds, 1),
        "pings_answered": len(rtts),
        "pongs_late": late,
        "pong_rtt_ms": summary_ms(rtts),
        "still_open": sum(1 for s in everyone if s.alive),
    }


if __name__ == "__main__":
    sys.exit(main())
