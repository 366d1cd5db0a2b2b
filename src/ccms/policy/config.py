"""The policy config file: routing, SLA, escalation and early warning chosen by name (TOML/YAML/JSON).

Each section is one ``{use = "name", ...params}`` table or a list of them (composed with
:func:`~ccms.policy.base.first_of`, first that decides wins). ``use`` names a policy registered in
:data:`~ccms.policy.registry.default_registry` (built-ins and installed ``ccms.policies`` plugins);
the other keys are passed to its factory as keyword parameters. A ``filters`` parameter of a handler
router may itself list ``{use = ...}`` tables, and a ``router`` parameter (of ``fallthrough``) be
one; they are built as handler routers.

.. code-block:: toml

    [routing]
    department = [{ use = "by_code_table", table = { "PRD.DEF" = "production" } },
                  { use = "fixed", department = "cs" }]
    handler = [{ use = "sticky" }, { use = "least_loaded", filters = [{ use = "language_match" }] }]
    [sla]
    use = "table"

>>> policies = PolicyConfig.from_mapping(
...     {"routing": {"department": [{"use": "by_code_table", "table": {"PAY": "finance"}},
...                                 {"use": "fixed", "department": "cs"}],
...                  "handler": {"use": "least_loaded"}}},
...     "policies.toml",
... ).build()
>>> policies.department_router
first_of(by_code_table({'PAY': 'finance'}), fixed('cs'))
>>> policies.handler_router, policies.sla
(least_loaded(), None)
>>> PolicyConfig.from_mapping({"routing": {"handler": [{"use": "least_loded"}]}}, "p.toml").build()
Traceback (most recent call last):
...
ccms.errors.ConfigError: p.toml: routing.handler[0].use: unknown handler_router policy 'least_loded' (did you mean 'least_loaded'?); allowed: authority_fit, ...
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import attrs
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from ccms._files import load_mapping, validate_mapping
from ccms.errors import ConfigError, PolicyError, RegistryError
from ccms.policy.base import Decides, first_of
from ccms.policy.registry import PolicyRegistry, default_registry
from ccms.policy.routing import DepartmentRouter, HandlerRouter

__all__ = ["POLICY_MODULES", "Policies", "PolicyConfig", "PolicySpec", "load_policy_config"]

#: The ccms modules imported before building, so their built-ins are registered (absent ones skipped).
POLICY_MODULES = (
    "ccms.policy.routing",
    "ccms.policy.sla",
    "ccms.policy.escalation",
    "ccms.policy.early_warning",
)

NO_POLICIES = (
    "no {kind} policies are registered; import the module that registers them "
    "or install a plugin (entry-point group 'ccms.policies')"
)


class PolicySpec(BaseModel):
    """One ``{use = "name", ...params}`` table: the registered name and its parameters."""

    model_config = ConfigDict(frozen=True, extra="allow")

    use: str = Field(min_length=1)

    @property
    def params(self) -> dict[str, Any]:
        """The keyword parameters passed to the factory (every key but ``use``)."""
        return dict(self.model_extra or {})


def _as_list(value: object) -> object:
    if value is None or isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    raise ValueError(f"must be a {{use = ...}} table or a list of them, got {type(value).__name__}")


#: A section: one spec (read as a list of one), or a list of specs composed with first_of.
Section = Annotated[list[PolicySpec], BeforeValidator(_as_list)]

_SECTIONS = ("routing.department", "routing.handler", "sla", "escalation", "early_warning")


def _single_sections(data: Mapping[str, Any]) -> frozenset[str]:
    """The sections written as one table rather than a list (their error keys have no ``[0]``)."""
    single = set()
    for path in _SECTIONS:
        value: object = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, Mapping):
            single.add(path)
    return frozenset(single)


def _unindex(key: str, single: frozenset[str]) -> str:
    for path in single:
        if key.startswith(f"{path}[0]"):
            return path + key[len(path) + 3 :]
    return key


class RoutingSection(BaseModel):
    """The ``[routing]`` section: department and handler routers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    department: Section | None = None
    handler: Section | None = None


@attrs.frozen(slots=True)
class Policies:
    """The policies a config file builds; ``None`` for each absent section."""

    department_router: DepartmentRouter | None = None
    handler_router: HandlerRouter | None = None
    sla: Decides[Any] | None = None
    escalation: Decides[Any] | None = None
    early_warning: Decides[Any] | None = None


class PolicyConfig(BaseModel):
    """A validated policy config; :meth:`build` turns it into :class:`Policies`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    routing: RoutingSection = RoutingSection()
    sla: Section | None = None
    escalation: Section | None = None
    early_warning: Section | None = None

    _source: str = PrivateAttr(default="<mapping>")
    _single: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def source(self) -> str:
        """Where the config came from (a file path or ``<mapping>``), as errors name it."""
        return self._source

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> PolicyConfig:
        """Validate a mapping; errors are :class:`~ccms.errors.ConfigError` naming ``source``."""
        single = _single_sections(data)
        try:
            config = validate_mapping(cls, data, source)
        except ConfigError as exc:
            key = _unindex(exc.key, single)
            allowed = exc.allowed_values
            if allowed is None and exc.problem == "Extra inputs are not permitted":
                parent = RoutingSection if key.startswith("routing.") else cls
                allowed = ", ".join(parent.model_fields)
            raise ConfigError(exc.source, key, exc.problem, allowed) from exc.__cause__
        config._source = source
        config._single = single
        return config

    @classmethod
    def from_file(cls, path: str | Path) -> PolicyConfig:
        """Load a TOML, YAML or JSON file (see :meth:`from_mapping`)."""
        return cls.from_mapping(load_mapping(path), str(path))

    def build(self, registry: PolicyRegistry | None = None) -> Policies:
        """Build every section through ``registry`` (default: the default registry).

        Imports :data:`POLICY_MODULES` and loads the ``ccms.policies`` entry points first, so
        built-ins and installed plugins are found.
        """
        registry = default_registry if registry is None else registry
        _import_policy_modules()
        registry.load_entry_points()
        builder = _Builder(registry, self._source, self._single)
        return Policies(
            department_router=builder.section(
                "department_router", "routing.department", self.routing.department
            ),
            handler_router=builder.section(
                "handler_router", "routing.handler", self.routing.handler
            ),
            sla=builder.section("sla", "sla", self.sla),
            escalation=builder.section("escalation", "escalation", self.escalation),
            early_warning=builder.section("early_warning", "early_warning", self.early_warning),
        )


def load_policy_config(path: str | Path) -> PolicyConfig:
    """Load a policy config file; ``load_policy_config(path).build()`` gives the policies."""
    return PolicyConfig.from_file(path)


def _import_policy_modules() -> None:
    for module in POLICY_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a module that exists but fails inside: not ours to hide
                raise


@attrs.define
class _Builder:
    registry: PolicyRegistry
    source: str
    single: frozenset[str] = frozenset()

    def section(self, kind: str, key: str, section: list[PolicySpec] | None) -> Any:
        if section is None:
            return None
        if key in self.single:
            return self.spec(kind, key, section[0])
        if not section:
            raise ConfigError(self.source, key, "is an empty list; give at least one {use = ...}")
        policies = [self.spec(kind, f"{key}[{i}]", spec) for i, spec in enumerate(section)]
        if len(policies) == 1:
            return policies[0]
        try:
            return first_of(*policies)
        except PolicyError as exc:
            raise ConfigError(self.source, key, str(exc)) from exc

    def spec(self, kind: str, key: str, spec: PolicySpec) -> Any:
        names = self.registry.names(kind)
        if not names:
            raise ConfigError(self.source, f"{key}.use", NO_POLICIES.format(kind=kind), "none")
        try:
            factory = self.registry.factory(kind, spec.use)
        except RegistryError as exc:
            problem = str(exc).split("; registered:")[0]
            raise ConfigError(self.source, f"{key}.use", problem, ", ".join(names)) from exc
        params = spec.params
        if kind == "handler_router" and "filters" in params:
            params["filters"] = self.filters(f"{key}.filters", params["filters"])
        if kind == "handler_router" and isinstance(params.get("router"), Mapping):
            params["router"] = self.nested(f"{key}.router", params["router"])
        try:
            policy = factory(**params)
        except TypeError as exc:
            raise ConfigError(
                self.source, key, f"bad parameters for {kind} {spec.use!r}: {exc}"
            ) from exc
        except (PolicyError, ValueError) as exc:
            raise ConfigError(self.source, key, str(exc)) from exc
        if not callable(getattr(policy, "decide", None)):
            raise ConfigError(
                self.source, f"{key}.use", f"{kind} {spec.use!r} built {policy!r}, not a policy"
            )
        return policy

    def filters(self, key: str, value: object) -> list[Any]:
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise ConfigError(self.source, key, f"must be a list of {{use = ...}}, got {value!r}")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping):
                raise ConfigError(
                    self.source, f"{key}[{i}]", f"must be a {{use = ...}} table, got {item!r}"
                )
            out.append(self.nested(f"{key}[{i}]", item))
        return out

    def nested(self, key: str, item: Mapping[str, Any]) -> Any:
        try:
            spec = validate_mapping(PolicySpec, item, self.source)
        except ConfigError as exc:
            raise ConfigError(
                self.source, f"{key}.{exc.key}", exc.problem, exc.allowed_values
            ) from exc.__cause__
        return self.spec("handler_router", key, spec)
