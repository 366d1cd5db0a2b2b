"""Registration of the built-in routers and plugin loading through the ``ccms.policies`` group.

Entry points are simulated, nothing is installed: a ``*.dist-info`` folder with ``METADATA`` and
``entry_points.txt`` on ``sys.path`` is a distribution to :mod:`importlib.metadata`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ccms.errors import RegistryError
from ccms.policy import PolicyRegistry, default_registry
from ccms.policy.routing import DEPARTMENT_ROUTERS, HANDLER_ROUTERS, register_routing

EXAMPLE_SRC = Path(__file__).resolve().parents[2] / "examples" / "ccms_vip_routing" / "src"


def fake_distribution(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: dict[str, str]
) -> None:
    """Put a distribution declaring ``entries`` in group ``ccms.policies`` on ``sys.path``."""
    dist = tmp_path / "site" / "ccms_vip_routing-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ccms-vip-routing\nVersion: 0.1.0\n", encoding="utf-8"
    )
    lines = ["[ccms.policies]", *(f"{name} = {target}" for name, target in entries.items())]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.syspath_prepend(str(EXAMPLE_SRC))


def test_every_builtin_router_is_registered_at_import() -> None:
    assert set(DEPARTMENT_ROUTERS) == {
        "by_code_table",
        "by_channel",
        "by_segment",
        "by_taxonomy_defaults",
        "fixed",
    }
    assert set(HANDLER_ROUTERS) == {
        "round_robin",
        "least_loaded",
        "skills_match",
        "language_match",
        "authority_fit",
        "sticky",
        "fallthrough",
    }
    for name, factory in DEPARTMENT_ROUTERS.items():
        assert default_registry.factory("department_router", name) is factory
    for name, factory in HANDLER_ROUTERS.items():
        assert default_registry.factory("handler_router", name) is factory


def test_a_duplicate_raises_and_lists_what_is_registered() -> None:
    with pytest.raises(RegistryError, match="handler_router policy 'least_loaded' is already"):
        default_registry.register("handler_router", "least_loaded", object)
    reg = PolicyRegistry()
    assert register_routing(reg) == 12
    with pytest.raises(RegistryError) as info:
        reg.register("handler_router", "sticky", object)
    assert str(info.value).startswith("handler_router policy 'sticky' is already registered (")
    assert str(info.value).endswith(
        "); registered handler_router policies: authority_fit, fallthrough, language_match, least_loaded, "
        "round_robin, skills_match, sticky"
    )
    with pytest.raises(RegistryError, match="'by_code_table' is already registered"):
        register_routing(reg)


def test_unknown_names_suggest_close_matches() -> None:
    reg = PolicyRegistry()
    register_routing(reg)
    with pytest.raises(RegistryError) as info:
        reg.factory("handler_router", "least_loded")
    assert str(info.value) == (
        "unknown handler_router policy 'least_loded' (did you mean 'least_loaded'?); registered: "
        "authority_fit, fallthrough, language_match, least_loaded, round_robin, skills_match, sticky"
    )
    with pytest.raises(RegistryError, match=r"did you mean 'by_code_table'\?"):
        reg.factory("department_router", "by_code")


def test_entry_points_load_and_report_how_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_distribution(
        tmp_path,
        monkeypatch,
        {
            "handler_router.vip_first": "ccms_vip_routing:vip_first",
            "handler_router.vip_first_again": "ccms_vip_routing:VipFirst",
        },
    )
    reg = PolicyRegistry()
    assert reg.load_entry_points() == 2
    assert reg.load_entry_points() == 0  # a group loads once
    assert reg.names("handler_router") == ("vip_first", "vip_first_again")
    assert (
        repr(reg.create("handler_router", "vip_first", skill="gold")) == "vip_first(skill='gold')"
    )


def test_an_entry_point_without_kind_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_distribution(tmp_path, monkeypatch, {"vip_first": "ccms_vip_routing:vip_first"})
    with pytest.raises(RegistryError, match=r"must be named 'kind.name'"):
        PolicyRegistry().load_entry_points()


def test_a_plugin_clashing_with_a_builtin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_distribution(
        tmp_path, monkeypatch, {"handler_router.sticky": "ccms_vip_routing:vip_first"}
    )
    reg = PolicyRegistry()
    register_routing(reg)
    with pytest.raises(RegistryError, match="'sticky' is already registered"):
        reg.load_entry_points()
