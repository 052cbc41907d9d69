"""Read a Pulumi preview in either machine format into one neutral shape.

Two formats exist and their field names differ:

* ``pulumi preview --json`` prints one ``PreviewDigest`` document
  (pulumi/pulumi ``sdk/go/common/display/json.go``, built by ``ShowPreviewDigest`` in
  ``pkg/backend/display/json.go``): ``steps[]`` of ``{op, urn, oldState, newState, diffReasons,
  replaceReasons, detailedDiff{path: {kind, inputDiff}} | null}``, ``diagnostics[]``,
  ``changeSummary``. Policy events are dropped from it.
* ``pulumi preview --event-log FILE`` writes JSON lines, one ``EngineEvent`` each
  (``sdk/go/common/apitype/events.go``): ``resourcePreEvent.metadata`` is
  ``{op, urn, type, old, new, keys, diffs, detailedDiff{path: {diffKind, inputDiff}} | null}``,
  plus ``diagnosticEvent``, ``policyEvent`` and ``summaryEvent.resourceChanges``.

Which one a file holds is detected from its content, never from its name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

PREVIEW_JSON: Literal["preview-json"] = "preview-json"
EVENT_LOG: Literal["event-log"] = "event-log"
Format = Literal["preview-json", "event-log"]

_DIGEST_KEYS = frozenset({"config", "steps", "diagnostics", "duration", "changeSummary", "maybeCorrupt"})
# An EngineEvent carries a sequence number and exactly one "...Event" payload.
_EVENT_SUFFIX = "Event"


class PreviewError(ValueError):
    """A preview file that cannot be read or is in neither format; the message names the file."""


@dataclass(frozen=True)
class State:
    """A resource's state before or after a step (``ResourceV3`` or ``StepEventStateMetadata``)."""

    type: str
    custom: bool
    """False for components and the root stack, which write nothing to the tenant."""
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    protect: bool
    retain_on_delete: bool


@dataclass(frozen=True)
class Step:
    """One step the engine would take, in either format's terms."""

    op: str
    urn: str
    old: State | None
    new: State | None
    diff_reasons: tuple[str, ...]
    replace_reasons: tuple[str, ...]
    detailed_diff: Mapping[str, str] | None
    """Property path -> diff kind (``add``, ``update-replace``...); None when the provider gave none."""


@dataclass(frozen=True)
class Diagnostic:
    """An engine or provider message (only ``severity`` ``error`` matters to a review)."""

    urn: str | None
    severity: str
    message: str


@dataclass(frozen=True)
class PolicyViolation:
    """A CrossGuard ``policyEvent`` (only in event logs)."""

    urn: str | None
    policy_pack: str
    policy_name: str
    enforcement_level: str
    message: str


@dataclass(frozen=True)
class Preview:
    """Everything a review needs from one preview file."""

    path: str
    format: Format
    steps: tuple[Step, ...]
    diagnostics: tuple[Diagnostic, ...]
    policy_violations: tuple[PolicyViolation, ...]
    change_summary: Mapping[str, int]


STDIN = "-"
"""The file name that means standard input (``pulumi preview --json | enpass-consent review -``)."""


def load(path: Path) -> Preview:
    """Read ``path`` (``-``: standard input) and parse it; :class:`PreviewError` (naming it) on any problem."""
    stdin = str(path) == STDIN
    label = "standard input (-)" if stdin else str(path)
    try:
        text = sys.stdin.buffer.read().decode("utf-8-sig") if stdin else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise PreviewError(f"{label}: cannot read it ({exc.__class__.__name__}: {exc})") from None
    try:
        return parse(text, str(path), label=label)
    except PreviewError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A document with the right shape but wrong field types; say so instead of a traceback.
        raise PreviewError(f"{label}: not a valid Pulumi preview ({exc.__class__.__name__}: {exc})") from None
    except RecursionError:
        raise PreviewError(f"{label}: not a valid Pulumi preview (JSON nested too deeply)") from None


def parse(text: str, path: str, *, label: str | None = None) -> Preview:
    """Parse preview text; which format it is comes from the content.

    ``path`` is what the review reports as the file; ``label`` names it in errors (default: ``path``).
    """
    name = label or path
    if not text.strip():
        raise PreviewError(f"{name}: the file is empty (expected `pulumi preview --json` output or an --event-log)")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    if isinstance(whole, dict):
        if _is_event(whole):
            return _from_events([whole], path)
        if whole.keys() & _DIGEST_KEYS:
            return _from_digest(whole, path)
        raise PreviewError(f"{name}: a JSON object, but neither a `pulumi preview --json` document nor an engine event")
    if whole is not None:
        raise PreviewError(
            f"{name}: expected a JSON object (or JSON lines of engine events), found {type(whole).__name__}"
        )
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            message = f"{name}: line {number} is not JSON ({exc.msg}); not a preview document or event log"
            raise PreviewError(message) from None
        if not isinstance(event, dict) or not _is_event(event):
            raise PreviewError(f"{name}: line {number} is not a Pulumi engine event")
        events.append(event)
    return _from_events(events, path)


def _is_event(value: Mapping[str, Any]) -> bool:
    return "sequence" in value or any(key.endswith(_EVENT_SUFFIX) for key in value)


def _from_digest(doc: Mapping[str, Any], path: str) -> Preview:
    steps = tuple(
        Step(
            op=_text(step["op"]),
            urn=_text(step["urn"]),
            old=_state(step.get("oldState")),
            new=_state(step.get("newState")),
            diff_reasons=_strings(step.get("diffReasons")),
            replace_reasons=_strings(step.get("replaceReasons")),
            detailed_diff=_detailed_diff(step.get("detailedDiff"), "kind"),
        )
        for step in _objects(doc.get("steps"), "steps")
    )
    diagnostics = tuple(
        Diagnostic(d.get("urn") or None, str(d.get("severity", "")), str(d.get("message", "")))
        for d in _objects(doc.get("diagnostics"), "diagnostics")
    )
    return Preview(path, PREVIEW_JSON, steps, diagnostics, (), _summary(doc.get("changeSummary")))


def _from_events(events: Sequence[Mapping[str, Any]], path: str) -> Preview:
    steps: list[Step] = []
    seen: set[tuple[str, str]] = set()
    diagnostics: list[Diagnostic] = []
    violations: list[PolicyViolation] = []
    summary: Mapping[str, int] = {}
    for event in sorted(events, key=lambda e: e.get("sequence", 0) if isinstance(e.get("sequence"), int) else 0):
        # A preview reports each step twice (pre and outputs event) with the same metadata.
        for kind in ("resourcePreEvent", "resOutputsEvent"):
            payload = event.get(kind)
            if isinstance(payload, dict):
                step = _event_step(payload["metadata"])
                if (step.op, step.urn) not in seen:
                    seen.add((step.op, step.urn))
                    steps.append(step)
        if isinstance(diag := event.get("diagnosticEvent"), dict) and not diag.get("ephemeral"):
            diagnostics.append(
                Diagnostic(diag.get("urn") or None, str(diag.get("severity", "")), str(diag.get("message", "")))
            )
        if isinstance(policy := event.get("policyEvent"), dict):
            violations.append(
                PolicyViolation(
                    urn=policy.get("resourceUrn") or None,
                    policy_pack=str(policy.get("policyPackName", "")),
                    policy_name=str(policy.get("policyName", "")),
                    enforcement_level=str(policy.get("enforcementLevel", "")),
                    message=str(policy.get("message", "")).strip(),
                )
            )
        if isinstance(done := event.get("summaryEvent"), dict):
            summary = _summary(done.get("resourceChanges"))
    return Preview(path, EVENT_LOG, tuple(steps), tuple(diagnostics), tuple(violations), summary)


def _event_step(meta: Mapping[str, Any]) -> Step:
    return Step(
        op=_text(meta["op"]),
        urn=_text(meta["urn"]),
        old=_state(meta.get("old")),
        new=_state(meta.get("new")),
        diff_reasons=_strings(meta.get("diffs")),
        replace_reasons=_strings(meta.get("keys")),
        detailed_diff=_detailed_diff(meta.get("detailedDiff"), "diffKind"),
    )


def _state(value: Any) -> State | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"resource state must be an object, found {type(value).__name__}")
    return State(
        type=str(value.get("type", "")),
        custom=bool(value.get("custom", False)),
        inputs=_mapping(value.get("inputs")),
        outputs=_mapping(value.get("outputs")),
        protect=bool(value.get("protect", False)),
        retain_on_delete=bool(value.get("retainOnDelete", False)),
    )


def _detailed_diff(value: Any, kind_key: str) -> Mapping[str, str] | None:
    if value is None:
        return None
    return {str(path): str(diff.get(kind_key, "")) for path, diff in _mapping(value).items() if isinstance(diff, dict)}


def _summary(value: Any) -> Mapping[str, int]:
    return {str(op): count for op, count in _mapping(value).items() if isinstance(count, int)}


def _objects(value: Any, name: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise TypeError(f"`{name}` must be a list of objects")
    return value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError(f"expected a non-empty string, found {value!r}")
    return value
