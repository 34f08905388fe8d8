"""The measurements: scheduled fan-out, and the figures taken from what the
clients recorded. Shared by the app and the floor so both are measured alike.
"""

import asyncio
import math
import statistics
import time

from bench.clients import sleep_until


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
