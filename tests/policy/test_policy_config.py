"""The policy config file: building policies by name, errors naming file, key and what is allowed.

The SLA/escalation sections are exercised with stand-in factories registered in a private
registry, so these tests pin the config mechanics and not another module's parameters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from ccms.errors import ConfigError
from ccms.model import (
    Agent,
    Channel,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    Flag,
    Organization,
)
from ccms.policy import (
    FirstOf,
    Policies,
    PolicyConfig,
    PolicyContext,
    PolicyRegistry,
    default_registry,
    load_policy_config,
)
from ccms.policy.base import Policy
from ccms.policy.config import NO_POLICIES
from ccms.policy.registry import ENTRY_POINT_GROUP
from ccms.policy.routing import (
    HANDLER_ROUTERS,
    ByCodeTable,
    Fixed,
    LeastLoaded,
    Sticky,
    register_routing,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
EXAMPLE_SRC = Path(__file__).resolve().parents[2] / "examples" / "ccms_vip_routing" / "src"

ISSUE_TOML = """
[routing]
department = [{ use = "by_code_table", table = { "PRD.DEF" = "production", "PAY" = "finance" } }, { use = "fixed", department = "cs" }]
handler = [{ use = "sticky" }, { use = "least_loaded" }]
[sla]
use = "table"
hours = 24
[escalation]
use = "ladder"
"""


@attrs.frozen
class StandIn(Policy[str]):
    """A stand-in for another kind's policy: records its parameters."""

    kind_name: str
    params: dict[str, Any]

    def decide(self, ctx: PolicyContext) -> str | None:
        return self.kind_name


def registry_with_stand_ins() -> PolicyRegistry:
    reg = PolicyRegistry()
    register_routing(reg)
    reg.register("sla", "table", lambda **p: StandIn("sla", p))
    reg.register("escalation", "ladder", lambda **p: StandIn("escalation", p))
    return reg


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_example_builds_every_section(tmp_path: Path) -> None:
    path = write(tmp_path, "policies.toml", ISSUE_TOML)
    config = load_policy_config(path)
    assert config.source == str(path)
    policies = config.build(registry_with_stand_ins())
    assert isinstance(policies.department_router, FirstOf)
    departments = policies.department_router.policies
    assert [type(p) for p in departments] == [ByCodeTable, Fixed]
    assert repr(policies.department_router) == (
        "first_of(by_code_table({'PRD.DEF': 'production', 'PAY': 'finance'}), fixed('cs'))"
    )
    assert isinstance(policies.handler_router, FirstOf)
    assert [type(p) for p in policies.handler_router.policies] == [Sticky, LeastLoaded]
    assert policies.sla == StandIn("sla", {"hours": 24})
    assert policies.escalation == StandIn("escalation", {})
    assert policies.early_warning is None


def test_yaml_single_tables_and_nested_filters(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "policies.yaml",
        "routing:\n"
        "  handler:\n"
        "    use: least_loaded\n"
        "    filters: [{use: language_match}, {use: skills_match, required: [billing]}]\n",
    )
    policies = load_policy_config(path).build(registry_with_stand_ins())
    assert repr(policies.handler_router) == (
        "least_loaded(filters=[language_match(), skills_match(required=['billing'])])"
    )
    assert policies == Policies(handler_router=policies.handler_router)


def test_fallthrough_takes_a_nested_router() -> None:
    data = {
        "routing": {
            "handler": [
                {"use": "fallthrough", "router": {"use": "least_loaded", "pool": ["kim"]}},
                {"use": "round_robin"},
            ]
        }
    }
    policies = PolicyConfig.from_mapping(data).build(registry_with_stand_ins())
    assert repr(policies.handler_router) == (
        "first_of(fallthrough(least_loaded(pool=['kim'])), round_robin())"
    )
    bad = {"routing": {"handler": {"use": "fallthrough", "router": {"use": "fixd"}}}}
    with pytest.raises(ConfigError) as info:
        PolicyConfig.from_mapping(bad, "p.toml").build(registry_with_stand_ins())
    assert info.value.key == "routing.handler.router.use"


def test_an_empty_config_builds_nothing() -> None:
    assert PolicyConfig.from_mapping({}).build() == Policies()


@pytest.mark.parametrize(
    ("data", "key", "problem", "allowed"),
    [
        (
            {"routing": {"handler": [{"use": "sticky"}, {"use": "least_loded"}]}},
            "routing.handler[1].use",
            "unknown handler_router policy 'least_loded' (did you mean 'least_loaded'?)",
            ", ".join(sorted(HANDLER_ROUTERS)),
        ),
        (
            {"routing": {"department": {"use": "by_table"}}},
            "routing.department.use",
            "unknown department_router policy 'by_table' (did you mean 'by_code_table'?)",
            "by_channel, by_code_table, by_segment, by_taxonomy_defaults, fixed",
        ),
        (
            {"routing": {"handler": [{"use": "sticky"}, {"usee": "x"}]}},
            "routing.handler[1].use",
            "Field required",
            None,
        ),
        (
            {"routing": {"handlers": []}},
            "routing.handlers",
            "Extra inputs are not permitted",
            "department, handler",
        ),
        (
            {"sla": 3},
            "sla",
            "Value error, must be a {use = ...} table or a list of them, got int",
            None,
        ),
        (
            {"routing": {"handler": []}},
            "routing.handler",
            "is an empty list; give at least one {use = ...}",
            None,
        ),
        (
            {"routing": {"handler": {"use": "least_loaded", "bogus": 1}}},
            "routing.handler",
            "bad parameters for handler_router 'least_loaded': "
            "least_loaded() got an unexpected keyword argument 'bogus'",
            None,
        ),
        (
            {"routing": {"department": [{"use": "fixed", "department": ""}]}},
            "routing.department[0]",
            "fixed: the department must be a non-empty string, got ''",
            None,
        ),
        (
            {"routing": {"handler": {"use": "least_loaded", "filters": [{"use": "fixed"}]}}},
            "routing.handler.filters[0].use",
            "unknown handler_router policy 'fixed'",
            ", ".join(sorted(HANDLER_ROUTERS)),
        ),
        (
            {"early_warning": {"use": "steps"}},
            "early_warning.use",
            NO_POLICIES.format(kind="early_warning"),
            "none",
        ),
    ],
)
def test_errors_name_the_file_the_key_and_what_is_allowed(
    data: dict[str, Any], key: str, problem: str, allowed: str | None
) -> None:
    with pytest.raises(ConfigError) as info:
        PolicyConfig.from_mapping(data, "policies.toml").build(registry_with_stand_ins())
    err = info.value
    assert (err.source, err.key, err.problem, err.allowed_values) == (
        "policies.toml",
        key,
        problem,
        allowed,
    )
    expected = f"policies.toml: {key}: {problem}" + (f"; allowed: {allowed}" if allowed else "")
    assert str(err) == expected


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.toml", "[routing\n")
    with pytest.raises(ConfigError, match=r"bad\.toml: <file>: is not valid TOML"):
        load_policy_config(bad)
    with pytest.raises(ConfigError, match=r"allowed: \.json, \.toml, \.yaml, \.yml"):
        load_policy_config(write(tmp_path, "p.ini", ""))


# --------------------------------------------------------------------------- a plugin by name


def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example package's entry point, as if installed: a dist-info folder on sys.path."""
    dist = tmp_path / "site" / "ccms_vip_routing-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ccms-vip-routing\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nhandler_router.vip_first = ccms_vip_routing:vip_first\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.syspath_prepend(str(EXAMPLE_SRC))


@pytest.fixture
def vip_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    fake_distribution(tmp_path, monkeypatch)
    # Let the default registry load the group afresh, and leave it as found afterwards.
    monkeypatch.setattr(default_registry, "_loaded_groups", set())
    yield
    if "vip_first" in default_registry.names("handler_router"):
        default_registry.unregister("handler_router", "vip_first")


def _complaint(cid: str, **update: Any) -> Complaint:
    return Complaint(
        id=cid,
        version=3,
        received_at=T0,
        updated_at=T0,
        channel=Channel.PHONE,
        customer=CustomerRef(id="C-1"),
        concerns=(Concern(kind="complaint", code="PAY.REFUND", text="x"),),
        stage="department_assigned",
        **update,
    )


@pytest.mark.usefixtures("vip_plugin")
def test_a_plugin_router_selected_by_name_routes_vip_complaints(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "policies.toml",
        '[routing]\nhandler = [{ use = "vip_first", skill = "vip" }, { use = "least_loaded" }]\n',
    )
    policies = load_policy_config(path).build()  # loads the entry points of default_registry
    assert "vip_first" in default_registry.names("handler_router")
    assert repr(policies.handler_router) == "first_of(vip_first(skill='vip'), least_loaded())"
    org = Organization(
        departments=(Department(id="finance", name="Finance"),),
        agents=(
            Agent(id="ahn", name="Ahn", department="finance", capacity=5),
            Agent(id="baek", name="Baek", department="finance", capacity=5, skills={"vip"}),
            Agent(id="cho", name="Cho", department="finance", capacity=5, skills={"vip"}),
        ),
    )
    load = {"ahn": 0, "baek": 3, "cho": 1}
    router = policies.handler_router
    assert router is not None

    def decide(c: Complaint) -> Any:
        return router.decide(PolicyContext(complaint=c, now=T0, organization=org, open_load=load))

    vip = decide(_complaint("c1", department="finance", flags=frozenset({Flag.VIP})))
    assert vip.handler == "cho"
    assert vip.rule == "vip_first: cho (load 1/5)"
    assert vip.explain() == (
        "handler cho (vip_first: cho (load 1/5))\n"
        "  ahn: lacks skill (lacks vip)\n"
        "  baek: higher load (load 3/5)\n"
        "  cho: chosen (load 1/5)"
    )
    ordinary = decide(_complaint("c2", department="finance"))
    assert ordinary.handler == "ahn"
    assert ordinary.rule == "least_loaded: ahn (load 0/5)"
