"""The measurements: scheduled fan-out, and the figures taken from what the
clients recorded. Shared by the app and the floor so both are measured alike.
"""

import asyncio
import gc
import math
import os
import resource
import statistics
import time
from collections import Counter
from contextlib import contextmanager

from bench.clients import LoopLag, sleep_until


def percentile(values, p):
    """Nearest-rank percentile of `values` (None when there are none)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary_ms(values):
    """p50/p95/p99/max of seconds, in milliseconds."""
    figures = {f"p{p}": percentile(values, p) for p in (50, 95, 99)}
    figures["max"] = max(values) if values else None
    return {k: None if v is None else round(v * 1000, 1) for k, v in figures.items()}


async def fanout(sockets, trigger, revisions, *, count, interval, timeout, start_in=1.0):
    """Trigger `count` changes at fixed times t0 + k * interval and wait until
    every socket has seen the last one (or `timeout` after it was due).

    `trigger(k)` makes change k (awaited in order: a late trigger delays the
    next one, and that lateness counts, since latency runs from the scheduled
    time). `revisions()` returns the revisions of the changes made so far, in
    order, as far as they are known. Returns the figures (see `figures`).
    """
    for socket in sockets:
        socket.log.clear()
    t0 = time.monotonic() + start_in
    schedule = [t0 + k * interval for k in range(count)]
    trigger_late = []
    for k, due in enumerate(schedule):
        await sleep_until(due)
        trigger_late.append(time.monotonic() - due)
        await trigger(k)
    deadline = schedule[-1] + timeout
    while time.monotonic() < deadline:
        revs = revisions()
        if len(revs) >= count and all(s.max_rev >= revs[count - 1] for s in sockets):
            break
        await asyncio.sleep(0.05)
    result = figures(sockets, schedule, revisions()[:count], timeout)
    result["trigger_late_ms"] = summary_ms(trigger_late)
    return result


def figures(sockets, schedule, revs, timeout):
    """Latency from each change's scheduled time to its arrival at each socket.

    A push is the full state of its panels, so any push with a revision at or
    past change k's delivers change k. A (socket, change) pair is lost if none
    arrived within `timeout` of the scheduled time.
    """
    latencies, last_reached, lost = [], [], 0
    unmapped = len(schedule) - len(revs)
    for due, rev in zip(schedule, revs, strict=False):
        worst = 0.0
        for socket in sockets:
            arrival = next((t for t, r in socket.log if r >= rev), None)
            if arrival is None or arrival - due > timeout:
                lost += 1
                continue
            latencies.append(arrival - due)
            worst = max(worst, arrival - due)
        last_reached.append(worst)
    # A change whose revision nobody (not even the console) saw is lost for all.
    lost += unmapped * len(sockets)
    return {
        "clients": len(sockets),
        "changes": len(schedule),
        "latency_ms": summary_ms(latencies),
        "last_client_ms": {
            "max": round(max(last_reached) * 1000, 1) if last_reached else None,
            "median": round(statistics.median(last_reached) * 1000, 1) if last_reached else None,
        },
        "last_client_per_change_ms": [round(w * 1000, 1) for w in last_reached],
        "lost": lost,
        "unmapped_changes": unmapped,
        "out_of_order": sum(s.out_of_order for s in sockets),
    }


# --- Phases, and what each one cost -----------------------------------------------


class Phases:
    """When each phase began, to say in which one a socket was disconnected
    (and, with --profile, to profile the servers phase by phase)."""

    def __init__(self, profiler=None):
        self.starts = []
        self.profiler = profiler

    def start(self, name):
        self.starts.append((time.monotonic(), name))
        if self.profiler:
            self.profiler.start(name)

    def disconnects(self, sockets):
        counts = Counter()
        for socket in sockets:
            if socket.disconnected:
                at, _code = socket.disconnected
                counts[next(name for start, name in reversed(self.starts) if start <= at)] += 1
        codes = Counter(s.disconnected[1] for s in sockets if s.disconnected)
        return {"total": sum(counts.values()), "by_phase": dict(counts), "close_codes": dict(codes)}


@contextmanager
def client_gc_paused():
    """The load generator's own garbage collection held off while it measures.

    Its heap (2,000 sockets and what each received) makes a full collection
    take tens of milliseconds; receipts timed after such a pause would charge
    the instrument's delay to the server (and to the floor, at random). The
    floor's and the app's phases are measured alike."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Usage:
    """Wall time, and CPU time of this (client) process, of the server(s) and
    of everything else on the machine, over a phase. If the client burns a
    core, or other work (another test run) takes CPU, the figures suspect."""

    def __init__(self, server_cpu):
        self.server_cpu = server_cpu
        self.lag = LoopLag()

    def __enter__(self):
        self.wall, self.client, self.server = time.monotonic(), _own_cpu(), self.server_cpu()
        self.machine = machine_busy_seconds()
        self.lag.start()
        return self

    def __exit__(self, *exc):
        lags = self.lag.stop()
        client, server = _own_cpu() - self.client, self.server_cpu() - self.server
        self.figures = {
            "wall_s": round(time.monotonic() - self.wall, 2),
            "client_cpu_s": round(client, 2),
            "server_cpu_s": round(server, 2),
            # Other processes: PostgreSQL and Redis when used, else noise.
            "other_cpu_s": round(max(0.0, machine_busy_seconds() - self.machine - client - server), 2),
            "client_loop_lag_p99_ms": round((percentile(lags, 99) or 0) * 1000, 1),
            "client_loop_lag_max_ms": round(max(lags, default=0) * 1000, 1),
        }


def machine_busy_seconds():
    """CPU time the whole machine has been busy (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / CLOCK_TICKS


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Resyncs:
    """Full-state messages the residents got during a phase, unasked (the
    server's own resyncs): each is a whole page's state per socket."""

    def __init__(self, sockets):
        self.sockets = sockets

    def __enter__(self):
        self.before = sum(s.states for s in self.sockets)
        return self

    def __exit__(self, *exc):
        self.count = sum(s.states for s in self.sockets) - self.before


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
