"""``--shard I/N``: split the fleet over N CI jobs, deterministically and completely."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class ShardError(ValueError):
    """A ``--shard`` value that is not ``I/N`` with 1 <= I <= N; the message says why."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def contains(self, stack: str) -> bool:
        return shard_of(stack, self.count) == self.index

    def select(self, stacks: Iterable[str]) -> list[str]:
        """The stacks of this shard, in the given order."""
        return [stack for stack in stacks if self.contains(stack)]


def shard_of(stack: str, count: int) -> int:
    """The 1-based shard a stack belongs to: ``int(sha256(name).hexdigest(), 16) % N + 1``.

    A hash of the name (not the position in a listing) keeps a stack in the same shard when other
    stacks are added or removed, and every CI job computes the same partition on its own.
    """
    if count < 1:
        raise ShardError(f"the shard count must be at least 1 (got {count})")
    return int(hashlib.sha256(stack.encode("utf-8")).hexdigest(), 16) % count + 1


def parse_shard(text: str) -> Shard:
    """Parse ``I/N`` (1-based): ``1/4`` .. ``4/4``."""
    match = _SHARD.fullmatch(text)
    if match is None:
        raise ShardError(f"--shard must be I/N with whole numbers, 1-based, e.g. 1/4 (got {text!r})")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1:
        raise ShardError(f"--shard {text}: the shard count N must be at least 1")
    if not 1 <= index <= count:
        raise ShardError(f"--shard {text}: I must be between 1 and {count} (shards are 1-based)")
    return Shard(index, count)
