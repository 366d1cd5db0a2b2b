"""Reading data files (TOML, YAML, JSON) into validated models, with errors that name the file and key.

Infrastructure shared by every package, like :mod:`ccms.errors`: it imports nothing else from ccms.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import pydantic

from ccms.errors import CCMSError, ConfigError, MissingExtra

__all__ = ["load_mapping", "validate_mapping"]

M = TypeVar("M", bound=pydantic.BaseModel)

_SUFFIXES = {".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read a TOML, YAML or JSON file into a dict; a syntax error is a :class:`ConfigError`."""
    path = Path(path)
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ConfigError(
            str(path), "<file>", f"unknown file type {path.suffix!r}", ", ".join(sorted(_SUFFIXES))
        )
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "<file>", f"cannot be read: {exc.strerror}") from exc
    try:
        if kind == "toml":
            data: object = tomllib.loads(text)
        elif kind == "yaml":
            data = _yaml_load(text)
        else:
            data = json.loads(text)
    except ValueError as exc:  # TOMLDecodeError, JSONDecodeError and YAML errors alike
        raise ConfigError(str(path), "<file>", f"is not valid {kind.upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(str(path), "<root>", f"must be a mapping, got {type(data).__name__}")
    return data


def _yaml_load(text: str) -> object:
    """Parse YAML with PyYAML (the ``yaml`` extra); its syntax errors become ``ValueError``."""
    try:
        import yaml
    except ImportError as exc:
        raise MissingExtra("yaml", "pyyaml") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc


def _key(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def validate_mapping(model: type[M], data: Mapping[str, Any], source: str) -> M:
    """Validate ``data`` as ``model``; the first problem becomes a :class:`ConfigError`.

    >>> from pydantic import BaseModel
    >>> class Conf(BaseModel):
    ...     hours: int
    >>> validate_mapping(Conf, {"hours": "x"}, "sla.toml")
    Traceback (most recent call last):
    ...
    ccms.errors.ConfigError: sla.toml: hours: Input should be a valid integer, ...
    """
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            inner = (error.get("ctx") or {}).get("error")
            if isinstance(inner, CCMSError):
                raise inner from None
        first = exc.errors()[0]
        allowed = None
        ctx = first.get("ctx") or {}
        if "expected" in ctx:
            allowed = str(ctx["expected"])
        raise ConfigError(source, _key(tuple(first["loc"])), first["msg"], allowed) from exc
