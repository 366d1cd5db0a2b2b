"""``ccms.policy.routing`` is a package of four concepts behind one facade, and its names do not
clash with other packages' (``RoutingVerdict``, not a second ``Verdict``)."""

from __future__ import annotations

import importlib

import pytest

import ccms.policy
import ccms.policy.routing as routing
from ccms.metrics import frame

PARTS = ("decisions", "department", "handler", "backlog")


@pytest.mark.parametrize("part", PARTS)
def test_the_facade_re_exports_every_public_name_of_each_part(part: str) -> None:
    module = importlib.import_module(f"ccms.policy.routing.{part}")
    assert module.__all__, part
    for name in module.__all__:
        assert name in routing.__all__, f"{part}.{name} is not in ccms.policy.routing.__all__"
        assert getattr(routing, name) is getattr(module, name)


def test_each_facade_name_resolves_and_has_one_home() -> None:
    homes = {
        name: part
        for part in PARTS
        for name in importlib.import_module(f"ccms.policy.routing.{part}").__all__
    }
    for name in routing.__all__:
        assert hasattr(routing, name), name
    assert len(homes) == sum(
        len(importlib.import_module(f"ccms.policy.routing.{p}").__all__) for p in PARTS
    ), "a name is public in two parts"


def test_the_verdict_is_routing_verdict_and_the_old_name_is_the_same_class() -> None:
    assert routing.Verdict is routing.RoutingVerdict is ccms.policy.RoutingVerdict
    assert ccms.policy.Verdict is routing.RoutingVerdict
    assert routing.RoutingVerdict is not frame.Verdict
    assert routing.RoutingVerdict.AT_CAPACITY.excluded
    assert not routing.RoutingVerdict.HIGHER_LOAD.excluded


def test_the_private_module_paths_are_gone() -> None:
    for old in (
        "_routing_decisions",
        "_routing_department",
        "_routing_handler",
        "_routing_backlog",
    ):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"ccms.policy.{old}")
