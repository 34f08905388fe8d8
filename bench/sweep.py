"""`make sweep`: the bench at several sizes, as a table and a plot.

    python bench/sweep.py --sizes 500,1000,2000 [-- any bench/run.py option]
    python bench/sweep.py --from bench/results/a.json bench/results/b.json ...

Runs bench/run.py once per size (each run its own floor, in the same run as
the app), keeps each run's JSON as <out>/sweep-<N>[-<P>p].json, then writes
<out>/sweep.md (a table: a row per run, the RESULT figures) and
<out>/sweep.png: fan-out p99 of the app and of the floor, join p99 and vote
ack p99 against the number of phones (left), server memory per phone, app
and floor (right). `--from` draws the same from runs made before (say one-
and two-process runs, each from a fresh clone). bench/README.md says what
each figure means.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.report import headline  # noqa: E402

COLUMNS = [
    ("clients", "phones"),
    ("joined", "joined"),
    ("processes", "processes"),
    ("database", "database"),
    ("fanout_p99_ms", "fan-out p99 (ms)"),
    ("floor_p99_ms", "floor p99 (ms)"),
    ("ratio", "ratio"),
    ("lost", "lost"),
    ("join_p99_ms", "join p99 (ms)"),
    ("joins_per_s", "joins/s"),
    ("vote_p99_ms", "vote ack p99 (ms)"),
    ("cpu_ms_per_vote", "CPU ms/vote"),
    ("votes_lost", "votes lost"),
    ("dup", "dup"),
    ("disconnects", "disconnects"),
    ("kb_per_conn", "KB/phone"),
    ("floor_kb_per_conn", "floor KB/conn"),
    ("commit", "commit"),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--sizes", help="comma-separated numbers of phones, e.g. 500,1000,2000")
    group.add_argument("--from", dest="runs", nargs="+", type=Path, help="draw these run JSONs instead of running")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="directory for the files")
    parser.add_argument("bench_args", nargs=argparse.REMAINDER, help="after --: options for bench/run.py")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.runs:
        runs = [json.loads(path.read_text()) for path in args.runs]
    else:
        extra = [a for a in args.bench_args if a != "--"]
        runs = [run_one(int(size), extra, args.out) for size in args.sizes.split(",")]
    rows = sorted((row(run) for run in runs), key=lambda r: (r["processes"], r["clients"]))
    (args.out / "sweep.md").write_text(table(rows))
    print(table(rows))
    plot(rows, args.out / "sweep.png")
    print(f"(written to {args.out / 'sweep.md'} and {args.out / 'sweep.png'})")
    return 0


def run_one(size, extra, out):
    processes = extra[extra.index("--processes") + 1] if "--processes" in extra else "1"
    path = out / f"sweep-{size}-{processes}p.json"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--clients", str(size), "--output", str(path), *extra]
    print("$", " ".join(command), flush=True)
    finished = subprocess.run(command)
    if finished.returncode != 0:
        raise SystemExit(f"bench/run.py --clients {size} failed ({finished.returncode})")
    return json.loads(path.read_text())


def row(results):
    figures = headline(results)
    floor = results.get("floor") or {}
    return {
        **figures,
        "processes": results["config"]["processes"],
        "database": f"{results['config']['database']}+{results['config']['layer']}",
        "joined": results["app"]["join"]["joined"],
        "floor_kb_per_conn": floor.get("kb_per_conn"),
        "commit": results["config"].get("app_commit"),
    }


def table(rows):
    lines = [
        "| " + " | ".join(title for _key, title in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in rows:
        lines.append("| " + " | ".join(_cell(r.get(key)) for key, _title in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def _cell(value):
    return "na" if value is None else str(value)


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")  # no screen: straight to the PNG
    import matplotlib.pyplot as plt

    fig, (latency, memory) = plt.subplots(1, 2, figsize=(13, 5))
    for processes in sorted({r["processes"] for r in rows}):
        these = [r for r in rows if r["processes"] == processes]
        sizes = [r["clients"] for r in these]
        tag = f"{processes} process{'es' if processes > 1 else ''}"
        for key, label, style in (
            ("fanout_p99_ms", "fan-out p99, app", "o-"),
            ("floor_p99_ms", "fan-out p99, floor", "o--"),
            ("join_p99_ms", "join p99", "s-"),
            ("vote_p99_ms", "vote ack p99", "^-"),
        ):
            _line(latency, sizes, [r[key] for r in these], style, f"{label} ({tag})")
        _line(memory, sizes, [r["kb_per_conn"] for r in these], "o-", f"app: per phone, socket and session ({tag})")
        _line(memory, sizes, [r["floor_kb_per_conn"] for r in these], "o--", f"floor: per socket ({tag})")
    latency.axhline(1000, color="grey", linestyle=":", label="1 s (join and vote targets)")
    latency.set(xlabel="phones", ylabel="ms (log)", title="Latency against room size", yscale="log")
    memory.set(xlabel="phones", ylabel="KB", title="Server memory per connection")
    for axes in (latency, memory):
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def _line(axes, sizes, values, style, label):
    # A figure that is "inf" (some phone never got there) has no point.
    points = [(s, v) for s, v in zip(sizes, values, strict=True) if isinstance(v, int | float) and v != float("inf")]
    if points:
        axes.plot([s for s, _v in points], [v for _s, v in points], style, label=label)


if __name__ == "__main__":
    sys.exit(main())
