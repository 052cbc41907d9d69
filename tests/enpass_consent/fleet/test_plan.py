from __future__ import annotations

import pytest

from enpass_consent.fleet.plan import PlanError, make_plan
from enpass_consent.fleet.shard import Shard


def test_canaries_first_in_the_order_given_then_the_rest_in_selection_order() -> None:
    plan = make_plan(["a", "b", "c", "d"], canaries=["c", "a"])
    assert plan.canaries == ("c", "a")
    assert plan.rest == ("b", "d")
    assert plan.stacks == ("c", "a", "b", "d")


def test_a_canary_not_selected_is_added() -> None:
    plan = make_plan(["a", "b"], canaries=["z"])
    assert plan.stacks == ("z", "a", "b")
    assert len(plan) == 3


def test_duplicates_appear_once() -> None:
    plan = make_plan(["a", "b", "a"], canaries=["b", "b"])
    assert plan.stacks == ("b", "a")


def test_canary_with_shard_is_a_usage_error() -> None:
    with pytest.raises(
        PlanError, match=r"^--canary cannot be combined with --shard: run the canaries in their own job first$"
    ):
        make_plan(["a"], canaries=["a"], shard=Shard(1, 2))


def test_empty_canary_name_is_a_usage_error() -> None:
    with pytest.raises(PlanError, match=r"^--canary needs a stack name$"):
        make_plan(["a"], canaries=[" "])


def test_shard_filters_the_selection_keeping_its_order_each_stack_once() -> None:
    # Shards of 4 (sha256 of the name, by hand): contoso, northwind, woodgrove 3; adatum 4; x 2.
    selected = ["woodgrove", "adatum", "contoso", "woodgrove", "x", "northwind", "contoso"]
    plan = make_plan(selected, shard=Shard(3, 4))
    assert plan.stacks == ("woodgrove", "contoso", "northwind")
    assert plan.canaries == ()
    assert make_plan(selected, shard=Shard(4, 4)).stacks == ("adatum",)
    assert make_plan(selected, shard=Shard(1, 4)).stacks == ()


def test_an_empty_shard_is_an_empty_plan() -> None:
    names = ["contoso"]
    empty = next(i for i in range(1, 5) if not Shard(i, 4).contains("contoso"))
    assert len(make_plan(names, shard=Shard(empty, 4))) == 0
