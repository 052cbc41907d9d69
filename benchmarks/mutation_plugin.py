"""pytest plugin of the mutation run only (``scripts/mutation`` loads it with ``-p``; the suite never does).

The policy pack's rule modules live in ``policy/rules/`` and import each other as ``rules.*``, the way
the Pulumi CLI runs the pack from its own folder, and the tests import them the same way. mutmut
names a mutant after the file's path (``policy.rules.protected.x_...``) and its trampoline only
switches to a mutant when the running function's ``__module__`` has that name. This plugin makes
``rules`` and ``rules.X`` the very module objects ``policy.rules`` and ``policy.rules.X`` (one copy,
the mutated one, under the path-derived name), so the tests run the mutants.

It also keeps the active mutant's name out of the environment while pytest runs: a process a test
starts (the policy pack served over gRPC, the CLI) then runs the original code instead of failing in
mutmut's bookkeeping, which only works in the folder mutmut runs in. Such tests never count for
a mutant anyway: mutmut only credits a test with the code it ran in-process.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import types
from collections.abc import Sequence

import pytest
from mutmut.mutation import trampoline

_ENV_KEY = "MUTANT_UNDER_TEST"

ALIASED = "rules"
TARGET = "policy.rules"


class RulesAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import rules[.X]`` with the module imported as ``policy.rules[.X]``."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != ALIASED and not fullname.startswith(ALIASED + "."):
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def __init__(self) -> None:
        self._own_specs: dict[str, importlib.machinery.ModuleSpec | None] = {}

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = importlib.import_module(TARGET + spec.name[len(ALIASED) :])
        self._own_specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        # The module already ran when it was imported under its real name. The import system has
        # just stamped the alias's spec on it: give it back its own.
        alias_spec = module.__spec__
        if alias_spec is not None and alias_spec.name in self._own_specs:
            module.__spec__ = self._own_specs[alias_spec.name]


def install() -> None:
    if not any(isinstance(finder, RulesAlias) for finder in sys.meta_path):
        sys.meta_path.insert(0, RulesAlias())


def pytest_configure(config: pytest.Config) -> None:
    value = os.environ.pop(_ENV_KEY, None)
    if value is not None:
        trampoline._mutant_under_test = value  # the process-local copy the trampolines fall back to
        config.stash[_stashed] = value


def pytest_unconfigure(config: pytest.Config) -> None:
    value = config.stash.get(_stashed, None)
    if value is not None:
        os.environ[_ENV_KEY] = value


_stashed = pytest.StashKey[str]()

install()
