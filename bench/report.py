"""The report: the table, the targets and the RESULT line (bench/README.md)."""

import math

# Other processes using more than this share of a core during the floor's
# fan-out (which involves no database or Redis) make the run suspect.
NOISY = 0.25


def headline(results):
    """The figures of the RESULT line."""
    app, floor = results["app"], results["floor"]
    fan_p99 = app["fanout"]["latency_ms"]["p99"]
    floor_p99 = floor["latency_ms"]["p99"] if floor else None
    return {
        "clients": results["config"]["clients"],
        "fanout_p99_ms": fan_p99,
        "floor_p99_ms": floor_p99,
        "ratio": round(fan_p99 / floor_p99, 2) if fan_p99 and floor_p99 else None,
        "lost": app["fanout"]["lost"] + app["after_soak"]["lost"],
        "vote_p99_ms": app["votes"]["ack_ms"]["p99"],
        "votes_lost": app["votes"]["lost"],
        "dup": app["votes"]["dup"],
        "disconnects": app["disconnects"]["total"],
        "kb_per_conn": app["memory"]["kb_per_conn"],
        "join_p99_ms": app["join"]["latency_ms"]["p99"],
        "joins_per_s": app["join"]["per_second"],
        "cpu_ms_per_vote": app["votes"]["cpu_ms_per_vote"],
    }


def result_line(results):
    return "RESULT " + " ".join(f"{k}={_fmt(v)}" for k, v in headline(results).items())


def _fmt(value):
    return "na" if value is None else str(value)


def targets(results):
    """Each target at its stated level: (name, met, what was measured)."""
    h, app = headline(results), results["app"]
    votes = app["votes"]
    joined, connected = app["join"]["joined"], app["connect"]["opened"]
    rows = [
        (
            "(validity) every phone joined and connected",
            joined == connected == results["config"]["clients"],
            f"{joined} joined, {connected} connected; join failures {app['join']['failures'] or 'none'}",
        ),
        ("fan-out p99 <= 2x floor p99", h["ratio"] is not None and h["ratio"] <= 2.0, f"{h['ratio']}x"),
        ("0 pushes lost", h["lost"] == 0, h["lost"]),
        ("every vote acknowledged", votes["acked"] == votes["votes"], f"{votes['acked']}/{votes['votes']}"),
        ("vote ack p99 <= 1 s", _le(h["vote_p99_ms"], 1000), f"{h['vote_p99_ms']} ms"),
        ("0 votes lost, 0 dup", h["votes_lost"] == 0 and h["dup"] == 0, f"{h['votes_lost']} / {h['dup']}"),
        (
            "projector final count <= 1 s after last ack",
            _le(votes["projector_final_ms"], 1000),
            f"{votes['projector_final_ms']} ms",
        ),
        ("0 disconnects", h["disconnects"] == 0, h["disconnects"]),
        ("<= 40 KB per connection", _le(h["kb_per_conn"], 40), f"{h['kb_per_conn']} KB"),
    ]
    return rows


def _per_join_ms(join):
    return round(join["cpu"]["server_cpu_s"] * 1000 / join["joined"], 1) if join["joined"] else None


def _ms_list(figures):
    return "/".join(_fmt(figures[key]) for key in ("p50", "p95", "p99"))


def _le(value, limit):
    return value is not None and value <= limit


def print_report(results):
    config, app, floor = results["config"], results["app"], results["floor"]
    print(
        f"\nYishi bench: {config['clients']} clients, {config['changes']} changes every "
        f"{config['interval_s'] * 1000:.0f} ms, votes over {config['vote_window_s']:.0f} s, soak "
        f"{config['soak_min']} min; {config['processes']} Daphne process(es), {app['database']} + "
        f"{app['layer']} layer; {config['cpus']} CPUs, client in this process; app at {config['app_commit']}"
        + (" with uncommitted changes" if config["app_changes"] else "")
    )
    print(
        f"setup {app['setup_s']} s; joins {app['join']['joined']}/{config['clients']} arriving over "
        f"{config['join_window_s']:g} s, done in {app['join']['seconds']} s ({app['join']['per_second']}/s), "
        f"join (to the socket's first state) p50/p95/p99 {_ms_list(app['join']['latency_ms'])} ms, "
        f"server CPU {app['join']['cpu']['server_cpu_s']} s "
        f"({_per_join_ms(app['join'])} ms a phone); sockets live {app['connect']['opened']}"
    )
    print(f"votes: server CPU {app['votes']['cpu_ms_per_vote']} ms a vote")
    print(f"\n{'fan-out (from scheduled time)':<36}{'app':>10}{'floor':>10}{'ratio':>8}")
    fan, ffan = app["fanout"], floor or {}
    for label, key in (("p50", "p50"), ("p95", "p95"), ("p99", "p99"), ("max", "max")):
        _row(f"latency {label} (ms)", fan["latency_ms"][key], ffan.get("latency_ms", {}).get(key))
    _row("last client reached, max (ms)", fan["last_client_ms"]["max"], ffan.get("last_client_ms", {}).get("max"))
    _row(
        "last client reached, median (ms)",
        fan["last_client_ms"]["median"],
        ffan.get("last_client_ms", {}).get("median"),
    )
    _row("lost (client x change)", fan["lost"], ffan.get("lost"))
    _row("out-of-order pushes", fan["out_of_order"], ffan.get("out_of_order"))
    _row("push size (bytes)", fan["push_bytes"], ffan.get("push_bytes"))
    _row("memory per connection (KB)", app["memory"]["kb_per_conn"], ffan.get("kb_per_conn"))
    _row("  marginal, second half (KB)", app["memory"]["marginal_kb_per_conn"], ffan.get("marginal_kb_per_conn"))
    _row("server CPU in fan-out (s)", fan["cpu"]["server_cpu_s"], ffan.get("cpu", {}).get("server_cpu_s"))
    _row("client CPU in fan-out (s)", fan["cpu"]["client_cpu_s"], ffan.get("cpu", {}).get("client_cpu_s"))
    _row("other processes' CPU (s)", fan["cpu"].get("other_cpu_s"), ffan.get("cpu", {}).get("other_cpu_s"))
    _row(
        "client loop lag p99 (ms)",
        fan["cpu"]["client_loop_lag_p99_ms"],
        ffan.get("cpu", {}).get("client_loop_lag_p99_ms"),
    )
    runs = results.get("floor_runs") or []
    if len(runs) > 1:
        print(
            "floor p99 before / after the app: "
            + " / ".join(f"{r['latency_ms']['p99']} ms" for r in runs)
            + " (the better one is used)"
        )
    noise = ffan.get("cpu", {}).get("other_cpu_s")
    if noise is not None and noise > NOISY * ffan["cpu"]["wall_s"]:
        print(
            f"WARNING: other processes took {noise} s of CPU during the floor's fan-out: this machine "
            "was busy with other work, so the floor (and every ratio) is unreliable; run again."
        )
    print(
        f"trigger (facilitator POST) start lateness p99: {fan['trigger_late_ms']['p99']} ms; "
        f"full-state resyncs sent to residents: fan-out {fan['resyncs']}, votes {app['votes']['resyncs']}, "
        f"soak {app['soak']['resyncs']}"
    )
    if fan["post_errors"]:
        print(f"facilitator POST errors: {fan['post_errors'][:3]}")

    votes = app["votes"]
    print(
        f"\nvotes: {votes['acked']}/{votes['votes']} acknowledged; ack ms p50 {votes['ack_ms']['p50']} "
        f"p95 {votes['ack_ms']['p95']} p99 {votes['ack_ms']['p99']} max {votes['ack_ms']['max']} "
        f"(acknowledged ones only: p99 {votes['acked_only_ms']['p99']}); "
        f"non-200 {votes['not_200'] or 'none'}; errors {votes['errors'] or 'none'}; "
        f"servers busy {votes['settle_s']} s more"
    )
    print(
        f"database: {votes['db_ballots']} ballots, lost {votes['lost']}, dup {votes['dup']}, "
        f"unacknowledged {votes['unacknowledged_ballots']}; projector final count "
        f"{votes['projector_final_ms']} ms after the last ack; server CPU {votes['cpu']['server_cpu_s']} s "
        f"in {votes['cpu']['wall_s']} s"
    )
    soak_ = app["soak"]
    print(
        f"soak {soak_['seconds']} s: disconnects {app['disconnects']}; pongs late {soak_['pongs_late']}; "
        f"pong rtt p99 {soak_['pong_rtt_ms']['p99']} ms; server CPU {soak_['cpu']['server_cpu_s']} s; "
        f"after the soak: lost {app['after_soak']['lost']}, "
        f"p99 {app['after_soak']['latency_ms']['p99']} ms"
    )
    if app.get("pollers"):
        polls = app["pollers"]
        print(
            f"pollers (no socket, /live/ every ~3 s): {polls['pollers']} phones, {polls['polls']} polls, "
            f"answers {polls['answers']}, 304 share {polls['not_modified_share']}, "
            f"p50/p95/p99 {_ms_list(polls['latency_ms'])} ms; the fan-out figures above are the socket phones'"
        )
    if app.get("server_errors"):
        print("server errors (Daphne logs):")
        for line, count in app["server_errors"]:
            print(f"  {count} x {line}")
    print("\ntargets:")
    for name, met, measured in targets(results):
        print(f"  [{'met' if met else 'MISSED'}] {name}: {measured}")


def _row(label, ours, floor):
    ratio = f"{ours / floor:.2f}" if isinstance(ours, int | float) and floor else ""
    print(f"{label:<36}{_fmt(ours):>10}{_fmt(floor):>10}{ratio:>8}")


def finite(value):
    """Strict JSON has no Infinity: write "inf"."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return "inf" if isinstance(value, float) and math.isinf(value) else value
