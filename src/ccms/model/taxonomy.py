"""The VOC code taxonomy (VOC 유형체계): hierarchical, maintained over time, read "as of" a date.

Codes are dotted paths (``PRD.DEF.HANDLE``: product > defect > handle broke off). A taxonomy is an
immutable value; :meth:`Taxonomy.add`, :meth:`~Taxonomy.rename`, :meth:`~Taxonomy.move` and
:meth:`~Taxonomy.retire` return a new taxonomy with the change in force from an effective date, so
history stays readable under the code (and the name) that was current then.

>>> from datetime import date
>>> t = Taxonomy().add("PRD", "Product", effective=date(2025, 1, 1))
>>> t = t.add("PRD.DEF", "Defect", effective=date(2025, 1, 1), defaults={"department": "production"})
>>> t = t.add("PRD.DEF.HANDLE", "Handle broke", effective=date(2025, 1, 1))
>>> t = t.rename("PRD.DEF.HANDLE", "Handle broke off", effective=date(2026, 1, 1))
>>> t.lookup("PRD.DEF.HANDLE", date(2025, 6, 1)).name_as_of(date(2025, 6, 1))
'Handle broke'
>>> t.defaults_for("PRD.DEF.HANDLE", date(2026, 3, 1)).department
'production'
>>> t2 = t.retire("PRD.DEF.HANDLE", effective=date(2026, 7, 1))
>>> t2.lookup("PRD.DEF.HANDLE", date(2026, 8, 1))
Traceback (most recent call last):
...
ccms.errors.RetiredVocCode: VOC code 'PRD.DEF.HANDLE' is not in force on 2026-08-01: retired on 2026-07-01
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from ccms._files import load_mapping, validate_mapping
from ccms.errors import RetiredVocCode, TaxonomyError, UnknownVocCode
from ccms.model.types import Frozen, Name
from ccms.model.values import RemedyKind, Severity, VocKind

__all__ = ["CodeDefaults", "CodeName", "Taxonomy", "VocCode", "VocCodeStr"]

#: A dotted VOC code: upper-case segments of letters, digits and underscores.
VocCodeStr = Annotated[
    str,
    StringConstraints(
        pattern=r"^[A-Z0-9][A-Z0-9_]*(\.[A-Z0-9][A-Z0-9_]*)*$", min_length=1, max_length=64
    ),
]


class CodeDefaults(Frozen):
    """What a code implies unless a person decides otherwise; unset fields inherit from the parent."""

    department: Name | None = None
    severity: Severity | None = None
    sla_class: Name | None = None
    remedy: RemedyKind | None = None
    kind: VocKind | None = None

    def over(self, parent: CodeDefaults) -> CodeDefaults:
        """These defaults with the unset fields taken from ``parent``."""
        mine = self.model_dump(exclude_none=True)
        return parent.model_copy(update=mine)


class CodeName(Frozen):
    """A display name in force from ``effective`` on."""

    effective: date
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class VocCode(Frozen):
    """One code of the taxonomy with its whole history.

    ``valid_to`` is exclusive: the code is in force on ``valid_from <= d < valid_to``. A moved or
    merged code names its ``successor``.
    """

    code: VocCodeStr
    names: Annotated[tuple[CodeName, ...], Field(min_length=1)]
    valid_from: date
    valid_to: date | None = None
    successor: VocCodeStr | None = None
    defaults: CodeDefaults = CodeDefaults()

    @model_validator(mode="after")
    def _check(self) -> VocCode:
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise ValueError(
                f"{self.code}: valid_to {self.valid_to} must be after valid_from {self.valid_from}"
            )
        effective = [n.effective for n in self.names]
        if effective != sorted(effective) or len(set(effective)) != len(effective):
            raise ValueError(f"{self.code}: names must have distinct, increasing effective dates")
        return self

    @property
    def parent(self) -> str | None:
        """The parent code (``PRD.DEF`` for ``PRD.DEF.HANDLE``), or None at the top."""
        head, dot, _ = self.code.rpartition(".")
        return head if dot else None

    @property
    def name(self) -> str:
        """The latest name."""
        return self.names[-1].name

    def in_force(self, as_of: date) -> bool:
        """Whether the code may be used on ``as_of``."""
        return self.valid_from <= as_of and (self.valid_to is None or as_of < self.valid_to)

    def name_as_of(self, as_of: date) -> str:
        """The name that was current on ``as_of`` (the first name before the code existed)."""
        current = self.names[0].name
        for entry in self.names:
            if entry.effective <= as_of:
                current = entry.name
        return current


class _TaxonomyFile(Frozen):
    codes: tuple[_CodeEntry, ...] = ()


class _CodeEntry(Frozen):
    code: VocCodeStr
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    names: tuple[CodeName, ...] = ()
    valid_from: date = date(1970, 1, 1)
    valid_to: date | None = None
    successor: VocCodeStr | None = None
    defaults: CodeDefaults = CodeDefaults()

    def to_code(self) -> VocCode:
        names = self.names
        if self.name is not None:
            names = (CodeName(effective=self.valid_from, name=self.name), *names)
        if not names:
            raise ValueError(f"{self.code}: give a name or names")
        return VocCode(
            code=self.code,
            names=names,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            successor=self.successor,
            defaults=self.defaults,
        )


_TaxonomyFile.model_rebuild()


class Taxonomy(Frozen):
    """An immutable, dated VOC code taxonomy. See the module docstring for an example."""

    codes: tuple[VocCode, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> Taxonomy:
        seen: dict[str, VocCode] = {}
        for entry in self.codes:
            if entry.code in seen:
                raise ValueError(f"code {entry.code!r} is listed twice")
            seen[entry.code] = entry
        for entry in self.codes:
            parent = entry.parent
            if parent is not None:
                up = seen.get(parent)
                if up is None:
                    raise ValueError(f"code {entry.code!r} has no parent {parent!r}")
                if up.valid_from > entry.valid_from:
                    raise ValueError(
                        f"code {entry.code!r} starts {entry.valid_from}, "
                        f"before its parent {parent!r} ({up.valid_from})"
                    )
            if entry.successor is not None and entry.successor not in seen:
                raise ValueError(
                    f"code {entry.code!r} names an unknown successor {entry.successor!r}"
                )
        return self

    # -- reading ---------------------------------------------------------------------------------

    @cached_property
    def _index(self) -> dict[str, VocCode]:
        return {entry.code: entry for entry in self.codes}

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._index

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> VocCode:
        """The code, whatever its validity; :class:`UnknownVocCode` if it never existed."""
        try:
            return self._index[code]
        except KeyError:
            close = difflib.get_close_matches(code, list(self._index), n=3)
            raise UnknownVocCode(code, close) from None

    def lookup(self, code: str, as_of: date) -> VocCode:
        """The code if it is in force on ``as_of``; else :class:`RetiredVocCode` or unknown."""
        entry = self.get(code)
        if entry.in_force(as_of):
            return entry
        if as_of < entry.valid_from:
            why = f"it starts on {entry.valid_from}"
        else:
            why = f"retired on {entry.valid_to}"
        raise RetiredVocCode(code, as_of, why, self.current_code(code, as_of, strict=False))

    def current_code(self, code: str, as_of: date, *, strict: bool = True) -> str | None:
        """Follow successors from ``code`` to the code in force on ``as_of``.

        Analytics use this to count history under today's codes. Returns None (or raises when
        ``strict``) when the chain ends in a retired code with no successor.
        """
        entry = self.get(code)
        seen = {entry.code}
        while not entry.in_force(as_of) and entry.successor is not None:
            entry = self.get(entry.successor)
            if entry.code in seen:  # pragma: no cover - prevented by construction
                break
            seen.add(entry.code)
        if entry.in_force(as_of):
            return entry.code
        if strict:
            raise RetiredVocCode(code, as_of, "no code in force succeeds it")
        return None

    def in_force(self, as_of: date) -> tuple[VocCode, ...]:
        """All codes in force on ``as_of``, in code order."""
        return tuple(sorted((c for c in self.codes if c.in_force(as_of)), key=lambda c: c.code))

    def children(self, code: str, as_of: date | None = None) -> tuple[VocCode, ...]:
        """Direct children of ``code`` (in force on ``as_of`` if given)."""
        return tuple(
            c for c in self.codes if c.parent == code and (as_of is None or c.in_force(as_of))
        )

    def ancestors(self, code: str) -> tuple[str, ...]:
        """``("PRD", "PRD.DEF")`` for ``"PRD.DEF.HANDLE"``."""
        parts = code.split(".")
        return tuple(".".join(parts[:i]) for i in range(1, len(parts)))

    def defaults_for(self, code: str, as_of: date) -> CodeDefaults:
        """The defaults of ``code`` on ``as_of``, unset fields inherited from its ancestors."""
        entry = self.lookup(code, as_of)
        merged = CodeDefaults()
        for parent in self.ancestors(entry.code):
            if parent in self._index:
                merged = self._index[parent].defaults.over(merged)
        return entry.defaults.over(merged)

    # -- maintaining -----------------------------------------------------------------------------

    def _replace(self, changed: Mapping[str, VocCode], added: Iterable[VocCode] = ()) -> Taxonomy:
        codes = [changed.get(c.code, c) for c in self.codes]
        codes.extend(added)
        try:
            return Taxonomy(codes=tuple(codes))
        except ValueError as exc:
            raise TaxonomyError(str(exc)) from exc

    def add(
        self,
        code: str,
        name: str,
        *,
        effective: date,
        defaults: CodeDefaults | Mapping[str, Any] | None = None,
    ) -> Taxonomy:
        """A new taxonomy with ``code`` in force from ``effective``; its parent must be in force."""
        if code in self._index:
            raise TaxonomyError(f"code {code!r} already exists; rename or move it instead")
        head, dot, _ = code.rpartition(".")
        if dot:
            self.lookup(head, effective)
        try:
            entry = VocCode(
                code=code,
                names=(CodeName(effective=effective, name=name),),
                valid_from=effective,
                defaults=CodeDefaults.model_validate(defaults or {}),
            )
        except ValueError as exc:
            raise TaxonomyError(f"cannot add {code!r}: {exc}") from exc
        return self._replace({}, [entry])

    def rename(self, code: str, name: str, *, effective: date) -> Taxonomy:
        """A new taxonomy where ``code`` is called ``name`` from ``effective`` on."""
        entry = self.lookup(code, effective)
        names = [n for n in entry.names if n.effective < effective]
        names.append(CodeName(effective=effective, name=name))
        return self._replace({code: entry.model_copy(update={"names": tuple(names)})})

    def retire(self, code: str, *, effective: date, successor: str | None = None) -> Taxonomy:
        """A new taxonomy where ``code`` and its descendants stop on ``effective``."""
        entry = self.lookup(code, effective)
        if successor is not None:
            self.lookup(successor, effective)
        changed: dict[str, VocCode] = {}
        for c in self.codes:
            if (c.code == code or c.code.startswith(code + ".")) and c.in_force(effective):
                update: dict[str, Any] = {"valid_to": effective}
                if c.code == code:
                    update["successor"] = successor
                changed[c.code] = c.model_copy(update=update)
        del entry
        return self._replace(changed)

    def move(self, code: str, new_parent: str | None, *, effective: date) -> Taxonomy:
        """Move ``code`` (with its subtree) under ``new_parent`` from ``effective`` on.

        The code string changes (its path does), so the old code retires with the new one as its
        successor; history stays under the old code, :meth:`current_code` maps it to the new.
        """
        self.lookup(code, effective)
        if new_parent is not None:
            self.lookup(new_parent, effective)
            if new_parent == code or new_parent.startswith(code + "."):
                raise TaxonomyError(f"cannot move {code!r} under its own subtree {new_parent!r}")
        leaf = code.rpartition(".")[2]
        new_code = f"{new_parent}.{leaf}" if new_parent else leaf
        if new_code in self._index:
            raise TaxonomyError(f"cannot move {code!r}: {new_code!r} already exists")
        changed: dict[str, VocCode] = {}
        added: list[VocCode] = []
        for c in sorted(self.codes, key=lambda c: c.code):
            if not (c.code == code or c.code.startswith(code + ".")) or not c.in_force(effective):
                continue
            target = new_code + c.code[len(code) :]
            added.append(
                VocCode(
                    code=target,
                    names=(CodeName(effective=effective, name=c.name_as_of(effective)),),
                    valid_from=effective,
                    defaults=c.defaults,
                )
            )
            changed[c.code] = c.model_copy(update={"valid_to": effective, "successor": target})
        return self._replace(changed, added)

    # -- files -----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> Taxonomy:
        """Build from ``{"codes": [{"code": ..., "name": ..., ...}, ...]}``; errors name the key."""
        parsed = validate_mapping(_TaxonomyFile, data, source)
        try:
            return cls(codes=tuple(entry.to_code() for entry in parsed.codes))
        except ValueError as exc:
            raise TaxonomyError(f"{source}: {exc}") from exc

    @classmethod
    def from_file(cls, path: str | Path) -> Taxonomy:
        """Load a TOML, YAML or JSON taxonomy file (see :meth:`from_mapping`)."""
        return cls.from_mapping(load_mapping(path), str(path))
