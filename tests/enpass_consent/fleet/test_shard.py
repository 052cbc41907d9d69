from __future__ import annotations

import hashlib
import random
import string

import pytest

from enpass_consent.fleet.shard import Shard, ShardError, parse_shard, shard_of


def _names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + string.digits + "-_."
    names = {"".join(rng.choices(alphabet, k=rng.randint(1, 24))) for _ in range(count)}
    names |= {"contoso", "fabrikam", "tenant-ä", "northwind/prod"}
    return sorted(names)


@pytest.mark.parametrize(("text", "expected"), [("1/1", Shard(1, 1)), ("3/4", Shard(3, 4)), (" 2 / 10 ", Shard(2, 10))])
def test_parse_valid(text: str, expected: Shard) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0/4", "1-based"),
        ("5/4", "between 1 and 4"),
        ("1/0", "at least 1"),
        ("1", "I/N"),
        ("a/b", "I/N"),
        ("-1/4", "I/N"),
        ("1/4/2", "I/N"),
        ("", "I/N"),
    ],
)
def test_parse_invalid_says_why(text: str, reason: str) -> None:
    with pytest.raises(ShardError, match=reason):
        parse_shard(text)


def test_formula_is_the_contract() -> None:
    for name in ("contoso", "fabrikam", "x"):
        for count in (1, 2, 3, 7, 300):
            expected = int(hashlib.sha256(name.encode()).hexdigest(), 16) % count + 1
            assert shard_of(name, count) == expected


# Worked out by hand from the documented formula (docs/reference.md), not with the code: another
# CI job, or another tool, must put these stacks in these shards.
SHARDS_BY_COUNT = {
    #            N=1 N=2 N=3 N=4 N=7
    "contoso": (1, 1, 2, 3, 2),
    "fabrikam": (1, 2, 3, 4, 5),
    "northwind": (1, 1, 2, 3, 7),
    "adatum": (1, 2, 1, 4, 1),
    "x": (1, 2, 3, 2, 7),
}


@pytest.mark.parametrize(("name", "shards"), SHARDS_BY_COUNT.items())
def test_known_stacks_land_in_known_shards(name: str, shards: tuple[int, ...]) -> None:
    assert tuple(shard_of(name, count) for count in (1, 2, 3, 4, 7)) == shards
    assert [index for index in range(1, 5) if Shard(index, 4).contains(name)] == [shards[3]]


@pytest.mark.parametrize("count", [0, -1])
def test_a_shard_count_below_one_is_refused(count: int) -> None:
    with pytest.raises(ShardError, match=rf"the shard count must be at least 1 \(got {count}\)"):
        shard_of("contoso", count)


def test_a_shard_prints_as_given() -> None:
    assert str(parse_shard(" 3 / 4 ")) == "3/4"


@pytest.mark.parametrize("seed", range(5))
def test_shards_partition_every_selection_completely_and_disjointly(seed: int) -> None:
    names = _names(400, seed)
    for count in range(1, 17):
        shards = [Shard(index, count).select(names) for index in range(1, count + 1)]
        flattened = [name for shard in shards for name in shard]
        assert sorted(flattened) == names  # complete, and no name in two shards
        for shard in shards:
            assert shard == [n for n in names if n in set(shard)]  # order kept
        # Deterministic: another computation (another CI job) gives the same partition.
        assert shards == [Shard(index, count).select(list(names)) for index in range(1, count + 1)]


def test_a_stack_keeps_its_shard_when_others_come_and_go() -> None:
    names = _names(200, 42)
    before = {name: shard_of(name, 8) for name in names}
    after = Shard(3, 8).select([*names[::2], "new-tenant"])
    assert all(before[name] == 3 for name in after if name != "new-tenant")


def test_one_shard_holds_everything() -> None:
    names = _names(50, 1)
    assert Shard(1, 1).select(names) == names
