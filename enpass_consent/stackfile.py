"""Stack files on disk: where they are, which stacks exist, and their settings in Pulumi's string form.

The CLI reads a stack's desired state from its ``Pulumi.<stack>.yaml``, turns the YAML into the
strings Pulumi would hand the program (``config_strings``) and validates them with the same
``settings.parse`` the program uses.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from enpass_consent import settings

PROJECT_FILE = "Pulumi.yaml"
EXAMPLE_FILE = "Pulumi.example.yaml"


class StackFileError(ValueError):
    """A project or stack file cannot be used; the message names the file.

    ``tenant_id`` is the stack's tenant when the file names a valid one (reports still show it).
    """

    def __init__(self, message: str, *, tenant_id: str | None = None) -> None:
        super().__init__(message)
        self.tenant_id = tenant_id


_per_thread = threading.local()


def _yaml() -> YAML:
    # One parser per thread, reused: building a YAML() searches the file system for plug-ins, which
    # cost more than parsing a stack file when an audit reads hundreds of them. An instance is not
    # safe to share between threads, hence one per thread.
    yaml: YAML | None = getattr(_per_thread, "yaml", None)
    if yaml is None:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        _per_thread.yaml = yaml
    return yaml


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise StackFileError(
            f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise StackFileError(f"{path}: cannot read ({exc.strerror or type(exc).__name__})") from None


def parse_yaml(text: str, path: Path) -> Any:
    """``text`` (the content of ``path``) as a round-trip YAML document; ``path`` names it in errors."""
    yaml = _yaml()
    try:
        return yaml.load(StringIO(text))
    except YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {_yaml_problem(exc)}") from None
    finally:
        del yaml.doc_infos[:]  # each load appends one; a reused parser must not grow


def _yaml_problem(exc: YAMLError) -> str:
    """ruamel's error as one line with where it is: ``found X at line 3, column 2 (while parsing Y ...)``."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = _at(getattr(exc, "problem_mark", None))
    context, context_where = getattr(exc, "context", None), _at(getattr(exc, "context_mark", None))
    started = f" ({context}, which started {context_where})" if context and context_where else ""
    return f"{problem} {where}{started}" if where else f"{problem}{started}"


def _at(mark: Any) -> str:
    # ruamel counts lines and columns from 0; editors count from 1.
    if mark is None or not isinstance(getattr(mark, "line", None), int):
        return ""
    return f"at line {mark.line + 1}, column {mark.column + 1}"


def load_yaml(path: Path) -> Any:
    return parse_yaml(_read_text(path), path)


def stack_config_dir(project_dir: Path) -> Path:
    """The folder holding the stack files: Pulumi.yaml's ``stackConfigDir``, else the project folder."""
    project_file = project_dir / PROJECT_FILE
    if not project_file.is_file():
        raise StackFileError(f"{project_file}: no Pulumi project here (use --project-dir)")
    project = load_yaml(project_file)
    if not isinstance(project, Mapping):
        raise StackFileError(f"{project_file}: not a Pulumi project file")
    config_dir = project.get("stackConfigDir")
    if config_dir is None:
        return project_dir
    if not isinstance(config_dir, str) or not config_dir.strip():
        raise StackFileError(f"{project_file}: stackConfigDir must be a folder name (got {config_dir!r})")
    return project_dir / config_dir


_STACK_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")


def check_stack_name(stack: str) -> None:
    """Stack names are file-name parts here: no folders, no ``..`` (Pulumi's own characters only)."""
    if not _STACK_NAME.match(stack):
        raise StackFileError(
            f"{stack!r} is not a stack name this tool reads (letters, digits, '-', '_' and '.', not starting with '.')"
        )


def stack_path(project_dir: Path, stack: str) -> Path:
    check_stack_name(stack)
    return stack_config_dir(project_dir) / f"Pulumi.{stack}.yaml"


def all_stacks(project_dir: Path) -> list[str]:
    """Every ``Pulumi.*.yaml`` stack in the stack folder, except the project file and the example."""
    folder = stack_config_dir(project_dir)
    names = []
    for path in folder.glob("Pulumi.*.yaml"):
        if path.name in (PROJECT_FILE, EXAMPLE_FILE):
            continue
        names.append(path.name[len("Pulumi.") : -len(".yaml")])
    return sorted(names)


@dataclass(frozen=True)
class StackFile:
    """One stack file as read: its path, the parsed YAML document and the config in string form."""

    stack: str
    path: Path
    text: str
    document: Any
    config: dict[str, str]


def read(project_dir: Path, stack: str, *, config_dir: Path | None = None) -> StackFile:
    """Read and convert a stack file; ``StackFileError`` names the file when it cannot be used.

    ``config_dir`` is :func:`stack_config_dir` when the caller already knows it (a run over many
    stacks resolves it once instead of parsing ``Pulumi.yaml`` again for every stack).
    """
    check_stack_name(stack)
    folder = stack_config_dir(project_dir) if config_dir is None else config_dir
    path = folder / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackFileError(f"{path}: no such stack file for stack {stack!r}")
    text = _read_text(path)
    document = parse_yaml(text, path)
    return StackFile(stack, path, text, document, config_strings(document, path))


def config_strings(document: Any, path: Path) -> dict[str, str]:
    """The ``config:`` block as Pulumi passes it to a program: every value a string, JSON for the rest.

    Refuses what ``pulumi`` would refuse or what the CLI cannot see, so that the program and the
    CLI never disagree on the desired state: ``secure:`` values, an ESC ``environment:`` import,
    and a quoted JSON string for a key Pulumi.yaml declares as an array.
    """
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise StackFileError(f"{path}: a stack file must be a YAML mapping")
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise StackFileError(f"{path}: 'config' must be a mapping")
    raw_tenant = config.get(settings.TENANT_ID)
    tenant_id = settings.guid_or_none(raw_tenant if isinstance(raw_tenant, str) else None)

    def refuse(message: str) -> StackFileError:
        return StackFileError(f"{path}: {message}", tenant_id=tenant_id)

    misplaced = [str(key) for key in document if _names_a_setting(str(key))]
    if misplaced:
        raise refuse(
            f"{misplaced[0]} is not under config: (indent it below the 'config:' line, as in Pulumi.example.yaml)"
        )
    environments = document.get("environment")
    if environments:
        raise refuse(
            f"imports the ESC environment {_plain(environments)}; enpass-consent reads only the stack file, so "
            "a setting that came from ESC would be invisible to it and the CLI would disagree with the program. "
            "Write azuread:tenantId and the enpass-consent settings in the stack file and remove the import "
            "(credentials belong in ARM_* variables)"
        )
    out: dict[str, str] = {}
    for key, value in config.items():
        key = str(key)
        relevant = key.startswith(f"{settings.PROJECT}:") or key in (
            settings.TENANT_ID,
            settings.CLIENT_ID,
            settings.ENVIRONMENT,
        )
        if not relevant:
            if suggestion := settings.suggest_key(key):
                raise refuse(f"{key} is not a setting of enpass-consent or azuread; did you mean {suggestion}?")
            continue
        if _holds_secure(value):
            raise refuse(f"{key} holds a secure: value; the enpass-consent settings must be plain values")
        if key in _DECLARED_LISTS and isinstance(value, str):
            raise refuse(
                f"{key} must be a YAML list: Pulumi.yaml declares it an array, and pulumi refuses a quoted "
                f"JSON string for it (got {value!r})"
            )
        out[key] = _to_string(value)
    return out


# The top-level keys of a stack file (pulumi/pulumi sdk/go/common/workspace/project.go, ProjectStack).
_STACK_FILE_KEYS = frozenset({"config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"})


def _names_a_setting(key: str) -> bool:
    """A top-level key that is one of the settings (or a namespaced key at all): it belongs under ``config``."""
    return key not in _STACK_FILE_KEYS and (":" in key or key in settings.SETTING_NAMES)


# Keys Pulumi.yaml declares with `type: array` (their defaults are lists; a test pins the two equal).
_DECLARED_LISTS = frozenset(key for key, default in settings.DEFAULTS.items() if isinstance(default, list))


def _holds_secure(value: Any) -> bool:
    if isinstance(value, Mapping):
        return "secure" in value or any(_holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secure(v) for v in value)
    return False


def _to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(_plain(value))


def _plain(value: Any) -> Any:
    """ruamel's commented containers -> plain lists and dicts (for json.dumps)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
