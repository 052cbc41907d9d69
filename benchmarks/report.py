"""Render ``benchmarks/results.json`` (written by ``fleet_audit --out``) as Markdown tables and a PNG plot.

    .venv/bin/python -m benchmarks.report benchmarks/results.json --png benchmarks/wall_time.png

Rows the grid skipped (their floor exceeded the per-run budget) are extrapolated linearly in N from
the largest measured N with the same L and C, and always labelled ``extrapolated``. Rows measured with
``--attribution SHARE`` have a table of their own and stay out of the plain tables and the plot.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Row = dict[str, Any]


def _wall(row: Row, client: str) -> float | None:
    measurement = row.get(client)
    return float(measurement["wall_seconds"]) if measurement else None


def extrapolate(rows: Sequence[Row], row: Row, client: str) -> tuple[float, int] | None:
    """Seconds for ``row``'s N from the largest measured N with the same L and C (naive: any C), and that N."""
    same = [
        r
        for r in rows
        if r["emulator"] == row["emulator"]
        and r["latency_ms"] == row["latency_ms"]
        and (client == "naive" or r["concurrency"] == row["concurrency"])
        and _wall(r, client) is not None
        and r["n"] < row["n"]
    ]
    if not same:
        return None
    base = max(same, key=lambda r: r["n"])
    wall = _wall(base, client)
    assert wall is not None
    return wall * row["n"] / base["n"], base["n"]


def _seconds(rows: Sequence[Row], row: Row, client: str) -> tuple[float | None, str]:
    """(seconds, how to print them): measured, or extrapolated and marked."""
    wall = _wall(row, client)
    if wall is not None:
        return wall, f"{wall:.2f}"
    guess = extrapolate(rows, row, client)
    if guess is None:
        return None, "skipped"
    return guess[0], f"~{guess[0]:.0f} (extrapolated from N={guess[1]})"


def _ratio(a: float | None, b: float | None, approximate: bool = False) -> str:
    if a is None or not b:
        return "n/a"
    return f"{'~' if approximate else ''}{a / b:.2f}"


def main_table(rows: Sequence[Row]) -> str:
    lines = [
        "| N | L (ms) | C | round trips / tenant (max) | $batch items / tenant | audit (s) | control (s) "
        "| bound N·3·L/C (s) | audit / control | audit / bound | control / bound |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        audit_s, audit_text = _seconds(rows, row, "audit")
        control_s, control_text = _seconds(rows, row, "control")
        approximate = row.get("audit") is None or row.get("control") is None
        measurement = row.get("audit")
        trips = (
            f"{measurement['round_trips_per_tenant']:g} ({measurement['round_trips_max']})" if measurement else "n/a"
        )
        items = f"{measurement['items_per_tenant']:g}" if measurement else "n/a"
        bound = row["bound_seconds"]
        lines.append(
            f"| {row['n']} | {row['latency_ms']:g} | {row['concurrency']} | {trips} | {items} | {audit_text} "
            f"| {control_text} | {bound:.2f} | {_ratio(audit_s, control_s, approximate)} "
            f"| {_ratio(audit_s, bound, approximate)} | {_ratio(control_s, bound, approximate)} |"
        )
    return "\n".join(lines)


def naive_table(rows: Sequence[Row]) -> str:
    lines = [
        "| N | L (ms) | round trips / tenant | naive (s) | its floor N·7·L (s) | audit C=1 (s) | control C=1 (s) "
        "| naive / control C=1 | naive / bound N·3·L | naive / audit C=32 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row["concurrency"] != 1:
            continue
        naive_s, naive_text = _seconds(rows, row, "naive")
        audit_text = _seconds(rows, row, "audit")[1]
        control_s, control_text = _seconds(rows, row, "control")
        wide = next(
            (
                r
                for r in rows
                if r["n"] == row["n"]
                and r["latency_ms"] == row["latency_ms"]
                and r["concurrency"] == 32
                and r["emulator"] == row["emulator"]
            ),
            None,
        )
        wide_s = _wall(wide, "audit") if wide else None
        approximate = row.get("naive") is None or row.get("control") is None
        measurement = row.get("naive")
        trips = f"{measurement['round_trips_per_tenant']:g}" if measurement else "(7)"
        bound_c1 = row["bound_seconds"]
        lines.append(
            f"| {row['n']} | {row['latency_ms']:g} | {trips} | {naive_text} | {row['naive_bound_seconds']:.2f} "
            f"| {audit_text} | {control_text} | {_ratio(naive_s, control_s, approximate)} "
            f"| {_ratio(naive_s, bound_c1, row.get('naive') is None)} "
            f"| {_ratio(naive_s, wide_s, row.get('naive') is None)} |"
        )
    return "\n".join(lines)


def attribution_table(rows: Sequence[Row]) -> str:
    """The ``--attribution`` rows: the tool with attribution against the control making the same requests."""
    lines = [
        "| N | L (ms) | C | share with drift | round trips / tenant (max) | $batch items / tenant "
        "| audit --attribution (s) | control (s) | bound (s) | audit / control | audit / bound | measured |",
        "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        audit, control = _wall(row, "audit"), _wall(row, "control")
        measurement = row.get("audit") or row.get("control")
        trips = (
            f"{measurement['round_trips_per_tenant']:g} ({measurement['round_trips_max']})" if measurement else "n/a"
        )
        items = f"{measurement['items_per_tenant']:g}" if measurement else "n/a"
        lines.append(
            f"| {row['n']} | {row['latency_ms']:g} | {row['concurrency']} "
            f"| {row['attribution']:g} ({row.get('drifted', 0)}) | {trips} | {items} "
            f"| {'n/a' if audit is None else f'{audit:.2f}'} | {'n/a' if control is None else f'{control:.2f}'} "
            f"| {row['bound_seconds']:.2f} | {_ratio(audit, control)} | {_ratio(audit, row['bound_seconds'])} "
            f"| {row.get('recorded_at') or 'n/a'} |"
        )
    return "\n".join(lines)


def commands(rows: Sequence[Row], *memories: Row | None) -> str:
    out = ["```sh"]
    for row in rows:
        skipped = row.get("skipped") or {}
        note = f"  # skipped in --grid: {'; '.join(f'{k}: {v}' for k, v in skipped.items())}" if skipped else ""
        out.append(row["command"] + note)
    out += [memory["command"] for memory in memories if memory]
    out.append("```")
    return "\n".join(out)


def plot(rows: Sequence[Row], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    latencies = sorted({r["latency_ms"] for r in rows})
    concurrencies = sorted({r["concurrency"] for r in rows})
    colors = {c: f"C{index}" for index, c in enumerate(concurrencies)}
    figure, axes = plt.subplots(1, len(latencies), figsize=(6.5 * len(latencies), 5.2), squeeze=False)
    for axis, latency in zip(axes[0], latencies, strict=True):
        for concurrency in concurrencies:
            group = sorted(
                (r for r in rows if r["latency_ms"] == latency and r["concurrency"] == concurrency),
                key=lambda r: r["n"],
            )
            for client, style in (("audit", "-"), ("control", "--")):
                points = [(r["n"], _seconds(rows, r, client)[0], r.get(client) is None) for r in group]
                points = [p for p in points if p[1] is not None]
                if not points:
                    continue
                axis.plot(
                    [p[0] for p in points],
                    [p[1] for p in points],
                    style,
                    color=colors[concurrency],
                    marker="o",
                    label=f"{client} C={concurrency}",
                )
                hollow = [p for p in points if p[2]]
                if hollow:
                    axis.plot(
                        [p[0] for p in hollow], [p[1] for p in hollow], "o", color="white", markeredgecolor="black"
                    )
        naive = sorted((r for r in rows if r["latency_ms"] == latency and r["concurrency"] == 1), key=lambda r: r["n"])
        naive_points = [(r["n"], _seconds(rows, r, "naive")[0]) for r in naive]
        naive_points = [p for p in naive_points if p[1] is not None]
        if naive_points:
            axis.plot(
                [p[0] for p in naive_points],
                [p[1] for p in naive_points],
                ":",
                color="black",
                marker="s",
                label="naive (sequential, no $batch)",
            )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("tenants N")
        axis.set_ylabel("wall time (s)")
        axis.set_title(f"fleet audit, L = {latency:g} ms per request")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8, loc="upper left")
    figure.text(0.5, 0.005, "solid: audit, dashed: raw control, dotted: naive; hollow: extrapolated", ha="center")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    parser.add_argument("--png", type=Path)
    parser.add_argument("--emulator", default="subprocess", help="rows of this emulator mode in the main tables")
    args = parser.parse_args(argv)
    data = json.loads(args.results.read_text())
    plain = [r for r in data["rows"] if r.get("attribution") is None]
    attributed = [r for r in data["rows"] if r.get("attribution") is not None]
    rows = [r for r in plain if r["emulator"] == args.emulator]
    others = [r for r in plain if r["emulator"] != args.emulator]
    print("## Machine\n")
    machine = data.get("machine", {})
    print(f"- CPU: {machine.get('cpu')}, {machine.get('cores')} cores; {machine.get('platform')}")
    print(f"- Python {machine.get('python')}; " + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items()))
    print(f"- Date: {data.get('date')}\n")
    print("## Results\n")
    print(main_table(rows) + "\n")
    print("## Naive baseline\n")
    print(naive_table(rows) + "\n")
    if others:
        print("## Other emulator modes\n")
        print(main_table(others) + "\n")
    memory = data.get("memory") or None
    if memory:
        print("## Memory\n")
        print("```json\n" + json.dumps(memory, indent=2) + "\n```\n")
    memory_attribution = data.get("memory_attribution") or None
    if attributed:
        print("## With --attribution\n")
        print(attribution_table(attributed) + "\n")
    if memory_attribution:
        print("## Memory with --attribution\n")
        print("```json\n" + json.dumps(memory_attribution, indent=2) + "\n```\n")
    print("## Commands\n")
    print(commands([*rows, *others, *attributed], memory, memory_attribution))
    if args.png:
        plot(rows, args.png)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
