"""Policy registration by kind and name, and through the ``ccms.policies`` entry-point group.

Behaves like pluggy's manager: :meth:`PolicyRegistry.register` returns the name, a duplicate raises
and shows what is registered, loading entry points reports how many were loaded.

An integrator's package declares, in its ``pyproject.toml``::

    [project.entry-points."ccms.policies"]
    "handler_router.vip_first" = "my_pkg.routing:vip_first"

and ``vip_first`` (a factory taking keyword parameters) is then usable by name in a config file.

>>> reg = PolicyRegistry()
>>> reg.register("demo", "const", lambda value="x": value)
'const'
>>> reg.create("demo", "const", value="y")
'y'
>>> reg.register("demo", "const", str)
Traceback (most recent call last):
...
ccms.errors.RegistryError: demo policy 'const' is already registered (<function <lambda> at ...>); registered demo policies: const
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, TypeVar

from ccms.errors import RegistryError

__all__ = ["ENTRY_POINT_GROUP", "PolicyRegistry", "default_registry", "register_policy"]

ENTRY_POINT_GROUP = "ccms.policies"

F = TypeVar("F", bound=Callable[..., Any])


class PolicyRegistry:
    """Factories of policies, by kind (``department_router``, ``handler_router``, ``sla``, ...)
    and name."""

    def __init__(self) -> None:
        self._factories: dict[str, dict[str, Callable[..., Any]]] = {}
        self._loaded_groups: set[str] = set()

    def register(self, kind: str, name: str, factory: Callable[..., Any]) -> str:
        """Register ``factory`` as ``kind``/``name``; returns the name. Duplicates raise."""
        if not kind or not name:
            raise RegistryError("a policy needs a non-empty kind and name")
        if not callable(factory):
            raise RegistryError(f"{kind} policy {name!r}: factory {factory!r} is not callable")
        by_name = self._factories.setdefault(kind, {})
        if name in by_name:
            raise RegistryError(
                f"{kind} policy {name!r} is already registered ({by_name[name]!r}); "
                f"registered {kind} policies: {', '.join(sorted(by_name))}"
            )
        by_name[name] = factory
        return name

    def unregister(self, kind: str, name: str) -> Callable[..., Any]:
        """Remove and return a registration."""
        try:
            return self._factories[kind].pop(name)
        except KeyError:
            raise RegistryError(f"no {kind} policy {name!r} is registered") from None

    def kinds(self) -> tuple[str, ...]:
        """The kinds that have at least one policy."""
        return tuple(sorted(k for k, v in self._factories.items() if v))

    def names(self, kind: str) -> tuple[str, ...]:
        """The registered names of one kind."""
        return tuple(sorted(self._factories.get(kind, {})))

    def factory(self, kind: str, name: str) -> Callable[..., Any]:
        """The factory registered as ``kind``/``name``; unknown names list what exists."""
        by_name = self._factories.get(kind)
        if not by_name:
            raise RegistryError(
                f"no {kind} policies are registered; kinds: {', '.join(self.kinds()) or 'none'}"
            )
        try:
            return by_name[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise RegistryError(
                f"unknown {kind} policy {name!r}{hint}; registered: {', '.join(sorted(by_name))}"
            ) from None

    def create(self, kind: str, name: str, /, **params: Any) -> Any:
        """Build the policy ``kind``/``name`` with keyword ``params``."""
        factory = self.factory(kind, name)
        try:
            return factory(**params)
        except TypeError as exc:
            raise RegistryError(
                f"{kind} policy {name!r}: bad parameters {params!r}: {exc}"
            ) from exc

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> int:
        """Register every entry point of ``group`` named ``kind.name``; returns how many loaded.

        Loading the same group twice loads nothing the second time.
        """
        if group in self._loaded_groups:
            return 0
        loaded = 0
        for ep in entry_points(group=group):
            kind, dot, name = ep.name.partition(".")
            if not dot or not name:
                raise RegistryError(
                    f"entry point {ep.name!r} in group {group!r} must be named 'kind.name', "
                    f"e.g. 'handler_router.{ep.name}'"
                )
            self.register(kind, name, ep.load())
            loaded += 1
        self._loaded_groups.add(group)
        return loaded


#: The registry the built-in policies register with and config files read from.
default_registry = PolicyRegistry()


def register_policy(
    kind: str, name: str, registry: PolicyRegistry | None = None
) -> Callable[[F], F]:
    """Decorator: register a policy factory (a class or a function) under ``kind``/``name``."""

    def decorate(factory: F) -> F:
        (registry or default_registry).register(kind, name, factory)
        return factory

    return decorate
