"""Mutation run over the core modules: ``scripts/mutation [GROUP|MODULE ...]`` (see README.md here).

mutmut writes its mutants into a ``mutants/`` folder of the directory it runs in, so the run happens
in a temporary copy of the repository (the files git lists, committed or not): the working tree
never holds a mutant. The results are merged into ``benchmarks/mutation.json`` (per module, with the
date, command and runtime of the run that produced them) and ``benchmarks/MUTATION.md`` is written
from that file and the hand-maintained reasons in ``benchmarks/mutation_reasons.toml``.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import importlib.metadata
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS_JSON = REPO / "benchmarks" / "mutation.json"
REASONS_TOML = REPO / "benchmarks" / "mutation_reasons.toml"
REPORT_MD = REPO / "benchmarks" / "MUTATION.md"

# The core, by group. Paths are relative to the repository root; a group runs as one mutmut run.
GROUPS: dict[str, tuple[str, ...]] = {
    "components": (
        "components/enpass_consent.py",
        "components/lookups.py",
        "components/stack_config.py",
        "components/tenant_pinning.py",
    ),
    "settings": ("enpass_consent/settings.py",),
    "audit": ("enpass_consent/audit/evaluate.py", "enpass_consent/audit/state.py", "enpass_consent/audit/collect.py"),
    "policy": (
        "policy/rules/assignment_required_when_assigned.py",
        "policy/rules/client_id_pinned.py",
        "policy/rules/common.py",
        "policy/rules/no_application_permissions.py",
        "policy/rules/no_drift_suppression.py",
        "policy/rules/protected.py",
        "policy/rules/scopes_allowlisted.py",
    ),
    "graph": (
        "enpass_consent/graph/client.py",
        "enpass_consent/graph/session.py",
        "enpass_consent/graph/redact.py",
        "enpass_consent/graph/credentials.py",
    ),
    "fleet": (
        "enpass_consent/fleet/plan.py",
        "enpass_consent/fleet/shard.py",
        "enpass_consent/fleet/runner.py",
        "enpass_consent/fleet/result.py",
    ),
    "review": ("enpass_consent/review/evaluate.py",),
    "adopt": ("enpass_consent/adopt/plan.py", "enpass_consent/adopt/stack_edit.py"),
}
# mutmut copies these folders into mutants/ and mutates the files of the selected modules in them.
SOURCE_PATHS = ("enpass_consent", "components", "policy")
# Statuses (mutmut's words) that count as killed: a test failed, or the mutant never finished.
KILLED = {"killed", "timeout"}
# test_invariants reads the repository as git lists it; mutants/ is no repository (and holds mutmut's files).
IGNORED_TESTS = ("tests/test_invariants.py",)


class UsageError(Exception):
    """Bad arguments: one line, exit 1."""


@dataclass(frozen=True)
class Mutant:
    """One mutant that was not killed, as the report shows it."""

    module: str
    function: str
    line: int
    change: str
    status: str

    def key(self) -> tuple[str, str, str]:
        """Stable across runs (mutmut's numbering is not): the reasons file is keyed by it."""
        return (self.module, self.function, self.change)


# --- selection -----------------------------------------------------------------------------------


def select_modules(names: Sequence[str]) -> list[str]:
    """The modules named by groups or paths, in the order given, each once; none named: the whole core."""
    if not names:
        names = list(GROUPS)
    core = [module for group in GROUPS.values() for module in group]
    selected: list[str] = []
    for name in names:
        if name in GROUPS:
            modules = list(GROUPS[name])
        elif name.rstrip("/") in core:
            modules = [name.rstrip("/")]
        else:
            known = ", ".join(GROUPS)
            raise UsageError(f"not a group or core module: {name!r} (groups: {known}; modules: the files of a group)")
        selected.extend(module for module in modules if module not in selected)
    return selected


def group_of(module: str) -> str:
    return next(group for group, modules in GROUPS.items() if module in modules)


# --- the run -------------------------------------------------------------------------------------


def copy_repository(destination: Path) -> None:
    """The files git lists (tracked, and untracked ones it does not ignore): what a clone plus local edits holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    for name in listed.stdout.decode("utf-8").split("\0"):
        source = REPO / name
        if not name or not source.is_file():  # a deleted, not yet committed file is still listed
            continue
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def mutmut_config(modules: Sequence[str], tests: Sequence[str], top_level: Iterable[str]) -> str:
    """The ``[tool.mutmut]`` table appended to the copy's pyproject.toml (JSON strings are TOML strings)."""
    pytest_args = ["-p", "benchmarks.mutation_plugin", "-p", "no:cacheprovider"]
    pytest_args += [f"--ignore={path}" for path in IGNORED_TESTS]
    settings: dict[str, object] = {
        "source_paths": list(SOURCE_PATHS),
        "only_mutate": list(modules),
        "also_copy": sorted(set(top_level) - set(SOURCE_PATHS)),
        "pytest_add_cli_args": pytest_args,
        "pytest_add_cli_args_test_selection": list(tests),
        # The tests import grpc (pulumi) and start threads: forked workers come from a clean fork server.
        "process_isolation": "forkserver",
        "use_git_change_detection": False,
    }
    lines = ["", "[tool.mutmut]"] + [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def run_mutmut(work_dir: Path, workers: int, log_path: Path) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    env = dict(os.environ)
    env.pop("CI", None)  # nothing CI-only applies to a mutation run
    with log_path.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            [str(mutmut), "run", "--max-children", str(workers)],
            cwd=work_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            check=False,
        )
    return completed.returncode


# --- reading mutmut's results --------------------------------------------------------------------


def one_line_change(diff: str) -> str:
    """A unified diff of one mutant as ``old → new`` (lines stripped, several joined by `` / ``)."""
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed) + " → " + " / ".join(added)


def function_label(mutant_name: str) -> str:
    """``pkg.mod.xǁClassǁmethod__mutmut_3`` -> ``Class.method``; ``pkg.mod.x_func__mutmut_3`` -> ``func``."""
    mangled = mutant_name.partition("__mutmut_")[0].rpartition(".")[2]
    if mangled.startswith("xǁ"):
        _, class_name, method = mangled.split("ǁ")
        return f"{class_name}.{method}"
    return mangled.removeprefix("x_")


def changed_line(source: str, function: str, diff: str) -> int:
    """The line of the original file the mutant changes (the function's first line when none matches)."""
    *classes, name = function.split(".")
    tree = ast.parse(source)
    scope: list[ast.stmt] = tree.body
    for class_name in classes:
        scope = next(n.body for n in scope if isinstance(n, ast.ClassDef) and n.name == class_name)
    node = next(n for n in scope if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name)
    first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
    last = node.end_lineno or node.lineno
    lines = source.splitlines()
    estimate, wanted = _first_removed_line(diff)
    if wanted is None:
        return node.lineno
    matching = [number for number in range(first, last + 1) if lines[number - 1].strip() == wanted]
    if not matching:
        return node.lineno
    # The same text may appear twice in a function (``continue``): the hunk's position decides.
    return min(matching, key=lambda number: abs(number - (first + estimate - 1)))


def _first_removed_line(diff: str) -> tuple[int, str | None]:
    """(1-based line in the diffed function, text) of the first removed line of a unified diff."""
    position = 1
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            position = int(line.split()[1].lstrip("-").split(",")[0])
        elif line.startswith("-"):
            return position, line[1:].strip()
        elif not line.startswith("+"):
            position += 1
    return position, None


def read_results(work_dir: Path, modules: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per module: killed, total and the mutants that were not killed, from mutmut's files in ``work_dir``."""
    previous = Path.cwd()
    os.chdir(work_dir)  # mutmut's readers take paths relative to the folder holding mutants/
    try:
        from mutmut.mutation.data import SourceFileMutationData
        from mutmut.mutation.diff_apply import get_diff_for_mutant
        from mutmut.stats import status_by_exit_code

        results: dict[str, dict[str, Any]] = {}
        for module in modules:
            data = SourceFileMutationData(path=module)
            data.load()
            source = Path(module).read_text(encoding="utf-8")
            survivors: list[Mutant] = []
            killed = 0
            for name, exit_code in sorted(data.exit_code_by_key.items(), key=lambda item: _mutant_order(item[0])):
                status = status_by_exit_code[exit_code]
                if status in KILLED:
                    killed += 1
                    continue
                diff = get_diff_for_mutant(name, path=module)
                function = function_label(name)
                survivors.append(
                    Mutant(
                        module=module,
                        function=function,
                        line=changed_line(source, function, diff),
                        change=one_line_change(diff),
                        status=status,
                    )
                )
            survivors.sort(key=lambda mutant: (mutant.line, mutant.change))
            results[module] = {
                "killed": killed,
                "total": len(data.exit_code_by_key),
                "not_killed": [mutant.__dict__ for mutant in survivors],
            }
        return results
    finally:
        os.chdir(previous)


def _mutant_order(name: str) -> tuple[str, int]:
    prefix, _, number = name.rpartition("__mutmut_")
    return (prefix, int(number) if number.isdigit() else 0)


# --- the report ----------------------------------------------------------------------------------


def load_reasons(path: Path) -> dict[tuple[str, str, str], str]:
    """``[[survivor]]`` tables of module, function, change and reason."""
    if not path.exists():
        return {}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path.name}: not TOML: {error}") from None
    reasons: dict[tuple[str, str, str], str] = {}
    for index, entry in enumerate(document.get("survivor", [])):
        missing = [field for field in ("module", "function", "change", "reason") if not str(entry.get(field, ""))]
        if missing:
            raise UsageError(f"{path.name}: survivor #{index + 1} lacks {', '.join(missing)}")
        reasons[(entry["module"], entry["function"], entry["change"])] = entry["reason"]
    return reasons


def merge_results(previous: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """The results file after a run: the run's modules replaced, the other modules' results kept."""
    modules = dict(previous.get("modules", {}))
    modules.update(run["modules"])
    core = [module for group in GROUPS.values() for module in group]
    return {"tool": run["tool"], "modules": {module: modules[module] for module in core if module in modules}}


def percent(killed: int, total: int) -> str:
    return f"{100 * killed / total:.1f} %" if total else "n/a"


def render_report(results: Mapping[str, Any], reasons: Mapping[tuple[str, str, str], str]) -> str:
    modules: Mapping[str, Any] = results["modules"]
    runs: dict[tuple[str, str], dict[str, Any]] = {}
    for module, entry in modules.items():
        run = runs.setdefault((entry["date"], entry["command"]), {"runtime_s": entry["runtime_s"], "modules": []})
        run["modules"].append(module)
    out = [
        "# Mutation score of the core",
        "",
        "Written by `scripts/mutation` (see [README.md](README.md#mutation-score)); the reasons come from",
        "`mutation_reasons.toml`. Do not edit this file by hand.",
        "",
        f"Tool: {results['tool']}. A mutant counts as killed when a test failed or it timed out.",
        "",
        "| date (UTC) | command | runtime | modules |",
        "|---|---|---|---|",
    ]
    for (date, command), run in sorted(runs.items()):
        out.append(f"| {date} | `{command}` | {_duration(run['runtime_s'])} | {len(run['modules'])} |")
    out += ["", "## Score per module", "", "| group | module | killed / total | score |", "|---|---|---|---|"]
    killed_all = total_all = 0
    for module, entry in modules.items():
        killed_all += entry["killed"]
        total_all += entry["total"]
        score = percent(entry["killed"], entry["total"])
        out.append(f"| {group_of(module)} | `{module}` | {entry['killed']} / {entry['total']} | {score} |")
    out.append(f"| **core** | | **{killed_all} / {total_all}** | **{percent(killed_all, total_all)}** |")
    missing = [module for group in GROUPS.values() for module in group if module not in modules]
    if missing:
        out += ["", "Not run yet: " + ", ".join(f"`{module}`" for module in missing) + "."]
    out += ["", "## Mutants not killed", ""]
    not_killed = [Mutant(**mutant) for entry in modules.values() for mutant in entry["not_killed"]]
    if not not_killed:
        out.append("None.")
    else:
        out += ["| module | line | change | status | reason |", "|---|---|---|---|---|"]
        for mutant in not_killed:
            reason = reasons.get(mutant.key(), "**unexplained**")
            out.append(
                f"| `{mutant.module}` | {mutant.line} | `{_cell(mutant.change)}` | {mutant.status} | {_cell(reason)} |"
            )
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def reasons_stub(mutants: Iterable[Mutant]) -> str:
    """TOML tables to paste into the reasons file, reason left to write."""
    blocks = []
    for mutant in mutants:
        blocks.append(
            "[[survivor]]\n"
            f"module = {json.dumps(mutant.module)}\n"
            f"function = {json.dumps(mutant.function, ensure_ascii=False)}\n"
            f"change = {json.dumps(mutant.change, ensure_ascii=False)}\n"
            'reason = ""\n'
        )
    return "\n".join(blocks)


def write_report(results: Mapping[str, Any]) -> list[Mutant]:
    """MUTATION.md from the results and the reasons; returns the mutants without a reason."""
    reasons = load_reasons(REASONS_TOML)
    REPORT_MD.write_text(render_report(results, reasons), encoding="utf-8")
    return [
        Mutant(**mutant)
        for entry in results["modules"].values()
        for mutant in entry["not_killed"]
        if (mutant["module"], mutant["function"], mutant["change"]) not in reasons
    ]


# --- command line --------------------------------------------------------------------------------


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/mutation",
        description="Mutation run over the core (groups: " + ", ".join(GROUPS) + "); none named: all of it.",
    )
    parser.add_argument("names", nargs="*", metavar="GROUP|MODULE")
    parser.add_argument("--workers", type=int, default=2, help="mutmut's --max-children (default 2)")
    parser.add_argument(
        "--tests",
        action="append",
        default=[],
        metavar="PYTEST_ARG",
        help="restrict the tests (faster; MUTATION.md shows the command, so such a score says so)",
    )
    parser.add_argument("--work-dir", type=Path, help="run in this (new) folder and keep it, to inspect with mutmut")
    parser.add_argument("--report-only", action="store_true", help="rewrite MUTATION.md from mutation.json")
    parser.add_argument("--no-write", action="store_true", help="print the scores, leave the files as they are")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    try:
        if args.report_only:
            unexplained = write_report(json.loads(RESULTS_JSON.read_text(encoding="utf-8")))
            _print_unexplained(unexplained)
            return 0
        modules = select_modules(args.names)
        if args.workers < 1:
            raise UsageError(f"--workers must be at least 1, not {args.workers}")
        if args.work_dir is not None and args.work_dir.exists():
            raise UsageError(f"--work-dir {args.work_dir} exists; give a new folder")
        load_reasons(REASONS_TOML)  # a broken reasons file fails before the long run, not after
        return _run(modules, args, argv)
    except UsageError as error:
        print(f"scripts/mutation: {error}", file=sys.stderr)
        return 1


def _run(modules: list[str], args: argparse.Namespace, argv: list[str]) -> int:
    keep = args.work_dir is not None
    work_dir = args.work_dir.resolve() if keep else Path(tempfile.mkdtemp(prefix="enpass-consent-mutation-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    log_path = work_dir / "mutmut.log"
    print(f"mutating {len(modules)} module(s) in {work_dir} (log: {log_path.name} there)", file=sys.stderr)
    try:
        copy_repository(work_dir)
        top_level = {path.name for path in work_dir.iterdir()}
        with (work_dir / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(mutmut_config(modules, args.tests, top_level))
        started = time.monotonic()
        code = run_mutmut(work_dir, args.workers, log_path)
        runtime = time.monotonic() - started
        if code != 0:
            print(log_path.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)
            print(f"scripts/mutation: mutmut exited with {code}; nothing written", file=sys.stderr)
            keep = True
            return 1
        per_module = read_results(work_dir, modules)
    finally:
        if not keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    stamp = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "command": shlex.join(["scripts/mutation", *recorded_arguments(argv)]),
        "runtime_s": round(runtime),
    }
    run = {"tool": f"mutmut {importlib.metadata.version('mutmut')}", "modules": {}}
    for module, entry in per_module.items():
        run["modules"][module] = {**stamp, **entry}
        print(f"{module}: {entry['killed']} / {entry['total']} killed ({percent(entry['killed'], entry['total'])})")
    if args.no_write:
        reasons = load_reasons(REASONS_TOML)
        not_killed = [Mutant(**m) for e in run["modules"].values() for m in e["not_killed"]]
        _print_unexplained([mutant for mutant in not_killed if mutant.key() not in reasons])
        return 0
    previous = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.exists() else {}
    merged = merge_results(previous, run)
    RESULTS_JSON.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _print_unexplained(write_report(merged))
    return 0


def recorded_arguments(argv: Sequence[str]) -> list[str]:
    """The arguments that decide a result: where the run happened (--work-dir) does not."""
    kept: list[str] = []
    skip_value = False
    for argument in argv:
        if skip_value:
            skip_value = False
        elif argument == "--work-dir":
            skip_value = True
        elif not argument.startswith("--work-dir="):
            kept.append(argument)
    return kept


def _print_unexplained(mutants: list[Mutant]) -> None:
    if not mutants:
        return
    print(f"\n{len(mutants)} mutant(s) not killed and not explained:", file=sys.stderr)
    for mutant in mutants:
        print(f"  {mutant.module}:{mutant.line} ({mutant.function}) {mutant.change} [{mutant.status}]", file=sys.stderr)
    print("\nreasons file stub:\n", file=sys.stderr)
    print(reasons_stub(mutants), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
