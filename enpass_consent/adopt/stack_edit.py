"""The stack file's ``enpass-consent:adopt`` block, edited with a ruamel round trip.

Comments, quoting, key order and indentation of everything else are kept: the file is loaded with the
indentation it uses, only the adopt block is replaced (in place when it exists, else appended to
``config``), and a comment that trailed the old block moves to the new one. The same input always gives
the same output, so adopting twice writes the same bytes.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from enpass_consent import settings, stackfile
from enpass_consent.settings import Adoption

# Wide enough that no existing long line is re-wrapped by the dump.
_NO_WRAP = 1 << 16


@dataclass(frozen=True)
class LoadedStack:
    """A stack file as read once: the exact bytes (to detect later changes) and what they parse to."""

    stack: str
    path: Path
    original: bytes
    config: dict[str, str]
    """Settings in Pulumi's string form (as ``stackfile.config_strings`` gives them)."""


def load(project_dir: Path, stack: str) -> LoadedStack:
    """Read the stack file once. Raises ``StackFileError`` naming the file."""
    path = stackfile.stack_path(project_dir, stack)
    try:
        original = path.read_bytes()
    except OSError as exc:
        raise stackfile.StackFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    document, _ = _parse(path, original)
    return LoadedStack(stack, path, original, stackfile.config_strings(document, path))


def config_of(path: Path, raw: bytes) -> dict[str, str]:
    """The settings of a stack file's bytes, in Pulumi's string form."""
    document, _ = _parse(path, raw)
    return stackfile.config_strings(document, path)


def settings_without_adopt(loaded: LoadedStack) -> settings.Settings:
    """The desired state, ignoring any earlier adopt block (adopt replaces it, stale or not)."""
    return settings.parse({key: value for key, value in loaded.config.items() if key != settings.ADOPT})


def with_adoption(loaded: LoadedStack, adoption: Adoption) -> bytes:
    """The stack file's bytes with ``adoption`` as its adopt block."""
    document, yaml = _parse(loaded.path, loaded.original)
    config = document.get("config")
    if not isinstance(config, CommentedMap):
        raise stackfile.StackFileError(f"{loaded.path}: 'config' must be a mapping")
    block = adoption_block(adoption)
    old = config.get(settings.ADOPT)
    if old is not None:
        # The comment lines after the old block belong before whatever follows it.
        _move_trailing_comment(old, block, lambda line: True)
    elif config:
        # Comments at column 0 after the last entry introduce what follows ``config``: keep them after it.
        _move_trailing_comment(config, block, lambda line: line.startswith("#"))
    config[settings.ADOPT] = block  # an existing key keeps its position
    out = StringIO()
    yaml.dump(document, out)
    text = out.getvalue()
    if b"\r\n" in loaded.original:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


def adoption_block(adoption: Adoption) -> CommentedMap:
    """The adopt object in the contract's field order; empty maps and absent ids are left out."""
    block = CommentedMap()
    if adoption.service_principal_object_id:
        block[settings.ADOPT_SERVICE_PRINCIPAL] = adoption.service_principal_object_id
    if adoption.grant_id:
        block[settings.ADOPT_GRANT] = adoption.grant_id
    if adoption.user_grant_ids:
        block[settings.ADOPT_USER_GRANTS] = CommentedMap(sorted(adoption.user_grant_ids.items()))
    if adoption.assignment_ids:
        block[settings.ADOPT_ASSIGNMENTS] = CommentedMap(sorted(adoption.assignment_ids.items()))
    return block


def unified_diff(path: Path, before: bytes, after: bytes) -> str:
    lines = difflib.unified_diff(
        before.decode("utf-8").splitlines(keepends=True),
        after.decode("utf-8").splitlines(keepends=True),
        fromfile=f"a/{path.name}",
        tofile=f"b/{path.name}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _parse(path: Path, raw: bytes) -> tuple[Any, YAML]:
    try:
        text = raw.decode("utf-8")
        _, sequence_indent, dash_offset = load_yaml_guess_indent(text)
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = _NO_WRAP
        mapping_indent = _mapping_indent(text)
        if dash_offset is None:  # no block sequence in the file: write new ones in the mappings' style
            sequence_indent, dash_offset = mapping_indent, 0
        yaml.indent(mapping=mapping_indent, sequence=sequence_indent, offset=dash_offset)
        document = yaml.load(text)
    except (UnicodeDecodeError, YAMLError) as exc:
        raise stackfile.StackFileError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(document, CommentedMap):
        raise stackfile.StackFileError(f"{path}: a stack file must be a YAML mapping")
    return document, yaml


def _mapping_indent(text: str) -> int:
    """Spaces a nested mapping is indented by (ruamel's own guess reports sequences when there are any)."""
    parent: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if parent is not None and indent > parent and not stripped.startswith("-"):
            return indent - parent
        parent = indent if stripped.endswith(":") and not stripped.startswith("-") else None
    return 2


def _move_trailing_comment(old: Any, new: CommentedMap, moves: Callable[[str], bool]) -> None:
    """Move the comment lines that follow ``old`` (and that ``moves`` selects) to after ``new``.

    ruamel keeps the comments that follow a block on the block's last entry, together with that
    entry's end-of-line comment; the end-of-line comment stays (or goes with a replaced block).
    """
    slot, target = _last_entry(old), _last_entry(new)
    if slot is None or target is None:
        return
    node, key, index = slot
    entry = node.ca.items.get(key)
    if not entry or len(entry) <= index or entry[index] is None:
        return
    token = entry[index]
    end_of_line, _, rest = str(token.value).partition("\n")
    lines = rest.splitlines(keepends=True)
    first_moved = next((i for i, line in enumerate(lines) if line.strip() and moves(line)), len(lines))
    stays, moved = "".join(lines[:first_moved]), "".join(lines[first_moved:])
    if not moved.strip():
        return
    token.value = end_of_line + "\n" + stays
    if not token.value.strip():
        entry[index] = None
    new_node, new_key, new_index = target
    comments = new_node.ca.items.setdefault(new_key, [None, None, None, None])
    comments[new_index] = CommentToken("\n" + moved, token.start_mark, None)


def _last_entry(node: Any) -> tuple[Any, Any, int] | None:
    """(container, key, comment slot) of the deepest last entry: slot 2 for a mapping value, 0 for an item."""
    while True:
        if isinstance(node, CommentedMap) and node:
            key = list(node)[-1]
            child = node[key]
            if isinstance(child, CommentedMap | CommentedSeq) and child:
                node = child
                continue
            return node, key, 2
        if isinstance(node, CommentedSeq) and node:
            index = len(node) - 1
            child = node[index]
            if isinstance(child, CommentedMap | CommentedSeq) and child:
                node = child
                continue
            return node, index, 0
        return None
