"""Which stacks a fleet run touches, and in which order: canaries first, then the rest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from enpass_consent.fleet.shard import Shard


class PlanError(ValueError):
    """A contradictory fleet command line (a usage error: exit 1, no document)."""


@dataclass(frozen=True)
class Plan:
    """``canaries`` run first, one at a time, in this order; ``rest`` run after them, concurrently."""

    canaries: tuple[str, ...]
    rest: tuple[str, ...]

    @property
    def stacks(self) -> tuple[str, ...]:
        """Every stack of the run, each once, in report order."""
        return self.canaries + self.rest

    def __len__(self) -> int:
        return len(self.canaries) + len(self.rest)


def make_plan(selected: Sequence[str], canaries: Sequence[str] = (), shard: Shard | None = None) -> Plan:
    """Order the selection; a canary not among ``selected`` is added to the run.

    ``--canary`` and ``--shard`` do not combine: each shard is its own CI job, so a canary in one
    job could not stop the rollout of the others, which is the whole point of a canary.
    """
    if canaries and shard is not None:
        raise PlanError("--canary cannot be combined with --shard: run the canaries in their own job first")
    for name in canaries:
        if not name.strip():
            raise PlanError("--canary needs a stack name")
    ordered_canaries = tuple(dict.fromkeys(canaries))
    stacks = list(dict.fromkeys(selected))
    if shard is not None:
        stacks = shard.select(stacks)
    rest = tuple(name for name in stacks if name not in ordered_canaries)
    return Plan(ordered_canaries, rest)


@dataclass(frozen=True)
class PolicyPacks:
    """``--policy-pack`` folders and their ``--policy-pack-config`` files (paired by position, as pulumi does)."""

    packs: tuple[str, ...] = ()
    configs: tuple[str, ...] = ()

    @property
    def pack_list(self) -> list[str] | None:
        """For the Automation API, which wants None rather than an empty list."""
        return list(self.packs) or None

    @property
    def config_list(self) -> list[str] | None:
        return list(self.configs) or None
