"""The load bench runs end to end at a tiny size and its RESULT line holds.

It starts a real Daphne on a database of its own (SQLite, or a fresh
PostgreSQL database when DATABASE_URL is set; the Redis layer with
REDIS_URL), so it runs in both CI passes. Timing figures are not asserted
here (a loaded CI machine says nothing about them); lost pushes, lost votes
and duplicate ballots must be 0 at any size.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TINY = [
    "--clients",
    "100",
    "--concurrency",
    "10",
    "--changes",
    "5",
    "--interval",
    "0.2",
    "--soak",
    "0.1",
    "--vote-window",
    "1",
]


def parse_result(line):
    assert line.startswith("RESULT "), line
    return dict(item.split("=", 1) for item in line.removeprefix("RESULT ").split())


def test_bench_runs_end_to_end(tmp_path):
    output = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *TINY, "--processes", "1", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = parse_result(run.stdout.strip().splitlines()[-1])

    assert int(figures["clients"]) == 100
    for name in (
        "fanout_p99_ms",
        "floor_p99_ms",
        "ratio",
        "vote_p99_ms",
        "kb_per_conn",
        "join_p99_ms",
        "joins_per_s",
        "cpu_ms_per_vote",
    ):
        float(figures[name])  # a number ("inf" included), never "na"
    assert int(figures["lost"]) == 0
    assert int(figures["votes_lost"]) == 0
    assert int(figures["dup"]) == 0
    assert int(figures["disconnects"]) == 0
    assert output.exists()
