"""Hypothesis entry point: makes ``st.from_type`` work for ccms' public models, lazily.

Hypothesis runs this hook (entry-point group ``hypothesis``) whenever it is imported, so in every
test suite of a host that has ccms installed. It must cost nothing there: it imports no part of
ccms. A package whose types get strategies (``ccms.model``, ``ccms.policy``) is registered at once
if it is already imported, and otherwise right after its first import, by a one-shot import hook.
A suite that never imports ccms pays only for this module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

_PACKAGES = ("ccms.model", "ccms.policy")


def _register(package: str) -> None:
    from ccms.testing import _register as register

    register.register_type_strategies(package)


class _Then(importlib.abc.Loader):
    """Runs the real loader, then registers the package's strategies."""

    def __init__(self, loader: importlib.abc.Loader, package: str) -> None:
        self._loader = loader
        self._package = package

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _register(self._package)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Watches for the first import of each package in ``_PACKAGES`` not yet imported."""

    def __init__(self, waiting: set[str]) -> None:
        self.waiting = waiting

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.waiting:
            return None
        self.waiting.discard(fullname)
        if not self.waiting and self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _Then(spec.loader, fullname)
        return spec


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis when it loads entry points (group ``hypothesis``)."""
    waiting = set()
    for package in _PACKAGES:
        if package in sys.modules:
            _register(package)
        else:
            waiting.add(package)
    if waiting and not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(waiting))
