"""Customer notice templates as data: a subject and a body per event and language.

A :class:`NoticeTemplates` set is loaded and validated like the taxonomy (TOML, YAML or JSON; the
built-in set ships with ccms in ``ccms/notices/data/templates.toml``). Templates are Jinja2,
compiled in a sandbox with autoescape, and may name only :data:`PLACEHOLDERS`, the things a
customer may see: a template naming anything else (an internal note, the customer's phone) is
refused when the set is loaded, so no template can reach data the renderer does not hand it.

>>> templates = NoticeTemplates.builtin()
>>> sorted(templates.languages)
['en', 'ko']
>>> NoticeTemplates.from_mapping(
...     {"templates": {"receipt": {"en": {"subject": "Hi {{ phone }}", "body": "x"}}}}, "mine.toml"
... )
Traceback (most recent call last):
...
ccms.errors.ConfigError: mine.toml: templates.receipt.en.subject: names 'phone', which a notice may not show; allowed: amount, complaint_number, expected_date, handler, next_step, reason, remedy, stage, standard
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

from pydantic import Field

from ccms._files import load_mapping, validate_mapping
from ccms.errors import ConfigError, MissingExtra
from ccms.model.types import Frozen, Name

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["PLACEHOLDERS", "NoticeKind", "NoticeTemplate", "NoticeTemplates"]

#: The only names a template may use: what the customer may see of their own complaint.
PLACEHOLDERS: Final = frozenset(
    {
        "complaint_number",
        "stage",
        "next_step",
        "expected_date",
        "remedy",
        "amount",
        "reason",
        "handler",
        "standard",
    }
)


class NoticeKind(StrEnum):
    """The events a customer is told about."""

    RECEIPT = "receipt"  # 접수 안내
    ASSIGNMENT = "assignment"  # 담당자 배정
    WAITING = "waiting"  # 고객 회신 요청
    RESULT = "result"  # 처리결과 통보
    REOPEN = "reopen"  # 재처리
    CLOSING = "closing"  # 종결
    PROGRESS = "progress"  # 처리 진행 안내 (an SLA at risk)


_Text = Annotated[str, Field(min_length=1, max_length=20_000)]
_Labels = dict[Name, Annotated[str, Field(min_length=1, max_length=500)]]


class NoticeTemplate(Frozen):
    """One notice's subject and body templates (Jinja2 source)."""

    subject: _Text
    body: _Text


class _TemplatesFile(Frozen):
    version: Name = "unversioned"
    stages: dict[Name, _Labels] = {}
    next_steps: dict[Name, _Labels] = {}
    remedies: dict[Name, _Labels] = {}
    joiners: dict[Name, Annotated[str, Field(max_length=20)]] = {}
    templates: dict[NoticeKind, dict[Name, NoticeTemplate]] = {}


@cache
def environment() -> ImmutableSandboxedEnvironment:
    """The sandboxed Jinja2 environment notices render in (autoescape on, undefined names fail).

    Raises :class:`~ccms.errors.MissingExtra` when Jinja2 (the ``notices`` extra) is missing.
    """
    try:
        from jinja2 import StrictUndefined
        from jinja2.sandbox import ImmutableSandboxedEnvironment
    except ImportError as exc:
        raise MissingExtra("notices", "jinja2") from exc
    return ImmutableSandboxedEnvironment(
        autoescape=True, undefined=StrictUndefined, keep_trailing_newline=False
    )


def _check_source(source: str, where: str, key: str) -> None:
    from jinja2 import TemplateSyntaxError, meta

    env = environment()
    try:
        parsed = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ConfigError(where, key, f"is not a valid template: {exc.message}") from exc
    unknown = sorted(meta.find_undeclared_variables(parsed) - PLACEHOLDERS)
    if unknown:
        names = ", ".join(repr(n) for n in unknown)
        raise ConfigError(
            where,
            key,
            f"names {names}, which a notice may not show",
            ", ".join(sorted(PLACEHOLDERS)),
        )


class NoticeTemplates(Frozen):
    """A validated set of notice templates, with the plain-language labels they use.

    ``stages`` and ``next_steps`` map a language and a workflow stage to words a customer
    understands; ``remedies`` a language and a :class:`~ccms.model.RemedyKind` value to its name;
    ``joiners`` a language to the word between alternatives ("교환 또는 환불"; default " / ").
    """

    version: Name = "unversioned"
    stages: dict[Name, _Labels] = {}
    next_steps: dict[Name, _Labels] = {}
    remedies: dict[Name, _Labels] = {}
    joiners: dict[Name, Annotated[str, Field(max_length=20)]] = {}
    templates: dict[NoticeKind, dict[Name, NoticeTemplate]] = {}

    @property
    def languages(self) -> frozenset[str]:
        """The languages every kind of notice has a template in."""
        if not self.templates:
            return frozenset()
        sets = [frozenset(by_language) for by_language in self.templates.values()]
        return frozenset.intersection(*sets) if len(sets) == len(NoticeKind) else frozenset()

    def template(self, kind: NoticeKind | str, language: str) -> NoticeTemplate:
        """The template of ``kind`` in ``language``; a :class:`ConfigError` names what exists."""
        kind = NoticeKind(kind)
        by_language = self.templates.get(kind, {})
        try:
            return by_language[language]
        except KeyError:
            raise ConfigError(
                f"notice templates {self.version}",
                f"templates.{kind.value}.{language}",
                "no such template",
                ", ".join(sorted(by_language)) or None,
            ) from None

    def compiled(self, kind: NoticeKind | str, language: str) -> tuple[Template, Template]:
        """The compiled subject and body templates (compiled once per set)."""
        key = (NoticeKind(kind), language)
        cache_ = self._compiled
        if key not in cache_:
            t = self.template(*key)
            env = environment()
            cache_[key] = (env.from_string(t.subject), env.from_string(t.body.strip("\n")))
        return cache_[key]

    @cached_property
    def _compiled(self) -> dict[tuple[NoticeKind, str], tuple[Template, Template]]:
        return {}

    def label(self, table: str, language: str, key: str) -> str:
        """A label of ``stages``, ``next_steps`` or ``remedies``; the key itself if missing."""
        labels: dict[str, dict[str, str]] = getattr(self, table)
        return labels.get(language, {}).get(key, key)

    # -- files -----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> NoticeTemplates:
        """Build from a mapping shaped like the built-in file; errors name the key."""
        parsed = validate_mapping(_TemplatesFile, data, source)
        for kind, by_language in parsed.templates.items():
            for language, template in by_language.items():
                for part in ("subject", "body"):
                    key = f"templates.{kind.value}.{language}.{part}"
                    _check_source(getattr(template, part), source, key)
        return cls.model_validate(parsed.model_dump())

    @classmethod
    def from_file(cls, path: str | Path) -> NoticeTemplates:
        """Load a TOML, YAML or JSON template file (see :meth:`from_mapping`)."""
        return cls.from_mapping(load_mapping(path), str(path))

    @classmethod
    def builtin(cls) -> NoticeTemplates:
        """The Korean and English set that ships with ccms (loaded once)."""
        return _builtin()


@cache
def _builtin() -> NoticeTemplates:
    return NoticeTemplates.from_file(Path(__file__).parent / "data" / "templates.toml")
