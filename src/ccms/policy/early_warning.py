"""Serious-complaint early warning (중대불만 조기경보): rules assign crisis Step 1, 2 or 3.

Complaints touching consumer safety, injuries, lawsuits, the press or a public agency, or a sudden
cluster of one VOC code, are caught when they are registered and tracked: each
:class:`WarningRule` names a crisis step; the highest step among the matching rules wins, and its
:class:`CrisisLevel` says what must be done and who must be told. A CC Card (``CC-<complaint id>``)
is attached when a step first appears or rises, and follows the complaint until
:func:`close_cc_card_event` closes it (when the root cause is removed).

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> events = [ComplaintReceived(complaint_id="c1", version=1, at=t0, actor=Actor.system(),
...     stage="received", received_at=t0, channel="phone", customer=CustomerRef(id="u1"),
...     concerns=(Concern(kind="complaint", text="충전 중 화재가 발생했습니다"),))]
>>> ctx = PolicyContext(complaint=fold(events), events=events, now=t0)
>>> warning = EarlyWarning()
>>> decision = warning.decide(ctx)
>>> decision.step, decision.rules, decision.safety
(3, ('injury_or_fire',), True)
>>> [e.type for e in warning.sweep(ctx)]
['early_warning_raised', 'flags_changed', 'cc_card_opened']

Inputs from the Desk: ``ctx.extra["recent_code_counts"]``, a mapping ``{code: count}`` of the
complaints received with that VOC code in the Desk's recent window (this one included), read by
rules with a ``cluster`` threshold. Without it, cluster rules never match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, Final

import attrs
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ccms._files import validate_mapping
from ccms.errors import PolicyError, require_aware
from ccms.model import (
    Actor,
    CcCardClosed,
    CcCardOpened,
    Channel,
    Complaint,
    DomainEvent,
    EarlyWarningRaised,
    Flag,
    FlagsChanged,
)
from ccms.policy._sla_notify import check_role, resolve_roles
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.registry import default_registry

__all__ = [
    "CRISIS_STEPS",
    "DEFAULT_RULES",
    "INJURY_KEYWORDS",
    "LEGAL_KEYWORDS",
    "SAFETY_KEYWORDS",
    "CrisisLevel",
    "EarlyWarning",
    "WarningDecision",
    "WarningRule",
    "cc_card_id",
    "close_cc_card_event",
]

_Step = Annotated[int, Field(ge=1, le=3)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CrisisLevel(_Model):
    """What a crisis step requires (``actions``) and who must be told (``notify``: role names
    as in escalation ladders: handler, supervisor, department_head, executive, ``agent:<id>``)."""

    step: _Step
    name: str
    actions: tuple[str, ...] = ()
    notify: tuple[str, ...] = ()

    @field_validator("notify")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_role(v) for v in value)


#: The crisis guideline by default (steps 1 to 3); pass your own to :class:`EarlyWarning`.
CRISIS_STEPS: Final = (
    CrisisLevel(
        step=1,
        name="watch",
        actions=("record in the early-warning log", "handler investigates within 24 hours"),
        notify=("handler", "supervisor"),
    ),
    CrisisLevel(
        step=2,
        name="alert",
        actions=(
            "open a CC Card and find the root cause",
            "department head reviews the case",
            "check other units of the product",
        ),
        notify=("supervisor", "department_head"),
    ),
    CrisisLevel(
        step=3,
        name="crisis",
        actions=(
            "convene the crisis team",
            "report to executives within 24 hours",
            "decide on a safety alert, recall or public statement",
        ),
        notify=("department_head", "executive"),
    ),
)


class WarningRule(_Model):
    """A rule: matches when *any* of its conditions holds, and then asks for crisis ``step``.

    Conditions: ``flags`` (any flag present), ``code_prefixes`` (a VOC code starts with one, e.g.
    ``"SAF"``), ``keywords`` in a concern's text (case-insensitive; words of Latin script match
    whole words, so ``sue`` does not match ``issue``; other scripts such as Korean match as
    substrings, since particles attach to nouns: ``화재가``; so choose Korean keywords that
    do not hide inside common words: ``연기`` is smoke but also a postponement, hence the default
    ``연기가 나``), ``channels``, and ``cluster``: at
    least this many complaints with one of the complaint's codes in the recent window
    (``ctx.extra["recent_code_counts"]``). ``safety`` marks a consumer-safety rule: the sweep
    adds ``Flag.SAFETY`` when it matches.

    >>> WarningRule(name="lawsuit", step=2, keywords=("lawsuit",)).match_text("I will SUE you")
    False
    >>> WarningRule(name="lawsuit", step=2, keywords=("sue",)).match_text("I will SUE you")
    True
    """

    name: str = Field(min_length=1, max_length=128)
    step: _Step
    safety: bool = False
    flags: tuple[Flag, ...] = ()
    code_prefixes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    channels: tuple[Channel, ...] = ()
    cluster: Annotated[int, Field(ge=2)] | None = None

    @model_validator(mode="after")
    def _has_condition(self) -> WarningRule:
        if not (self.flags or self.code_prefixes or self.keywords or self.channels or self.cluster):
            raise ValueError(
                f"early-warning rule {self.name!r} has no condition; give flags, code_prefixes, "
                "keywords, channels or cluster"
            )
        return self

    def match_text(self, text: str) -> bool:
        """Whether one of the keywords occurs in ``text``."""
        pattern = _keyword_pattern(self.keywords)
        return pattern is not None and pattern.search(text) is not None

    def match(self, complaint: Complaint, recent: Mapping[str, int]) -> str | None:
        """What matched (for the decision's reasons), or ``None``."""
        return _reason(
            complaint, recent, frozenset(self.flags), self.code_prefixes,
            self.match_text if self.keywords else None, self.channels, self.cluster,
        )  # fmt: skip


def _reason(
    complaint: Complaint,
    recent: Mapping[str, int],
    flags: frozenset[Flag],
    prefixes: Sequence[str],
    keyword: Callable[[str], bool] | None,
    channels: Sequence[Channel],
    cluster: int | None,
) -> str | None:
    """What of a rule's conditions ``complaint`` meets first (for the decision's reasons), or
    ``None``: :meth:`WarningRule.match` and the policy's kept matchers both ask this."""
    if flags:
        hit = sorted(f.value for f in flags & complaint.flags)
        if hit:
            return f"flag {hit[0]}"
    for code in complaint.codes:
        for prefix in prefixes:
            if code == prefix or code.startswith(prefix):
                return f"code {code}"
    if keyword is not None:
        for concern in complaint.concerns:
            if keyword(concern.text):
                return "keyword in the customer's words"
    if complaint.channel in channels:
        return f"channel {complaint.channel.value}"
    if cluster is not None:
        for code in complaint.codes:
            count = recent.get(code, 0)
            if count >= cluster:
                return f"{count} complaints with code {code} in the recent window"
    return None


@functools.lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = [rf"\b{re.escape(k)}\b" if k.isascii() else re.escape(k) for k in keywords if k]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


# fmt: off
#: Words of injury, fire and harm (Korean and English) that call for crisis Step 3 by default.
INJURY_KEYWORDS: Final = (
    "화재", "불이 났", "폭발", "부상", "다쳤", "화상", "감전", "사망", "응급실", "병원",
    "fire", "caught fire", "explosion", "exploded", "injury", "injured", "injuries",
    "burn", "burned", "burnt", "electric shock", "hospital", "death", "died",
)
#: Words of a safety hazard without harm yet (Step 2 by default).
SAFETY_KEYWORDS: Final = (
    "안전", "위험", "과열", "연기가 나", "타는 냄새",
    "safety", "unsafe", "dangerous", "overheat", "overheating", "smoke",
)
#: Words of a legal threat (Step 2 by default).
LEGAL_KEYWORDS: Final = (
    "소송", "고소", "고발", "변호사",
    "lawsuit", "sue", "suing", "lawyer", "attorney", "court",
)
# fmt: on

#: The rules by default (Korean and English keywords); pass your own to :class:`EarlyWarning`.
DEFAULT_RULES: Final = (
    WarningRule(name="injury_or_fire", step=3, safety=True, keywords=INJURY_KEYWORDS),
    WarningRule(
        name="safety",
        step=2,
        safety=True,
        flags=(Flag.SAFETY,),
        code_prefixes=("SAF",),
        keywords=SAFETY_KEYWORDS,
    ),
    WarningRule(name="legal_threat", step=2, flags=(Flag.LEGAL_THREAT,), keywords=LEGAL_KEYWORDS),
    WarningRule(name="press", step=2, channels=(Channel.PRESS,)),
    WarningRule(name="public_agency", step=1, channels=(Channel.PUBLIC_AGENCY,)),
    WarningRule(name="code_cluster", step=1, cluster=5),
)


#: How many concern texts a rule's matcher keeps the keyword search of (emptied when full).
_TEXTS_KEPT: Final = 4096


class _Matcher:
    """:meth:`WarningRule.match` of one plain rule with its parts read once and the keyword
    search kept per text (texts are immutable strings; the rule is frozen)."""

    __slots__ = ("channels", "cluster", "flags", "pattern", "prefixes", "texts")

    def __init__(self, rule: WarningRule) -> None:
        self.flags = frozenset(rule.flags)
        self.prefixes = rule.code_prefixes
        self.pattern = _keyword_pattern(rule.keywords) if rule.keywords else None
        self.channels = rule.channels
        self.cluster = rule.cluster
        self.texts: dict[str, bool] = {}

    def _keyword(self, text: str) -> bool:
        found = self.texts.get(text)
        if found is None:
            assert self.pattern is not None
            found = self.pattern.search(text) is not None
            if len(self.texts) >= _TEXTS_KEPT:
                self.texts.clear()
            self.texts[text] = found
        return found

    def __call__(self, complaint: Complaint, recent: Mapping[str, int]) -> str | None:
        return _reason(
            complaint, recent, self.flags, self.prefixes,
            self._keyword if self.pattern is not None else None, self.channels, self.cluster,
        )  # fmt: skip


@attrs.frozen(slots=True, kw_only=True)
class WarningDecision:
    """The crisis step (the highest among matching rules), the rules at that step, what each
    matching rule saw, whether a safety rule matched, and the level's actions and agents."""

    step: int
    rules: tuple[str, ...]
    matched: tuple[str, ...]
    safety: bool
    actions: tuple[str, ...]
    notify: tuple[str, ...]


def cc_card_id(complaint: Complaint) -> str:
    """The CC Card of a complaint: ``CC-<complaint id>`` (deterministic, so sweeps agree)."""
    return f"CC-{complaint.id}"[:128]


def close_cc_card_event(
    complaint: Complaint, reason: str, now: datetime, actor: Actor
) -> CcCardClosed:
    """The event that closes the complaint's open CC Card (root cause removed).

    >>> from datetime import datetime, timezone
    >>> from ccms.model import ComplaintReceived, CcCardOpened, Concern, CustomerRef, fold
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> c = fold([ComplaintReceived(complaint_id="c1", version=1, at=t0, actor=Actor.system(),
    ...     stage="received", received_at=t0, channel="phone", customer=CustomerRef(id="u1"),
    ...     concerns=(Concern(kind="complaint", text="smoke"),)),
    ...     CcCardOpened(complaint_id="c1", version=2, at=t0, actor=Actor.system(), card_id="CC-c1", step=2)])
    >>> e = close_cc_card_event(c, "design fixed (task IMP-7)", t0, Actor(id="qa-lead", role="supervisor"))
    >>> e.card_id, e.version, c.cc_card, e.apply(c).cc_card
    ('CC-c1', 3, 'CC-c1', None)
    """
    require_aware(now, "now")
    return CcCardClosed.of(
        complaint,
        reason,
        complaint_id=complaint.id,
        version=complaint.version + 1,
        at=now,
        actor=actor,
        trigger="close_cc_card",
        stage=None,
    )


class EarlyWarning(Policy[WarningDecision]):
    """The early-warning policy (kind ``"early_warning"``).

    ``sweep(ctx)`` returns, stamped ``version=complaint.version + 1``, ``actor=system``,
    ``trigger="early_warning"``: ``EarlyWarningRaised`` when the decided step is above every step
    in the history; ``FlagsChanged`` adding ``SAFETY`` when a safety rule matches, the complaint
    is not flagged and this policy never added the flag before (a person who removed it is not
    overruled); ``CcCardOpened`` with the step raised, when it is at least ``cc_card_from_step``.
    Once a department or handler is assigned, the people the raised step's level names who
    could not be named before (no department head without a department) are told by another
    ``EarlyWarningRaised`` at the same step whose ``notify`` holds only them.
    Sweeping again over a history that holds those events returns nothing.
    """

    kind = "early_warning"

    __slots__ = ("_matchers", "cc_card_from_step", "levels", "rules")

    def __init__(
        self,
        rules: Sequence[WarningRule | Mapping[str, Any]] = DEFAULT_RULES,
        levels: Sequence[CrisisLevel | Mapping[str, Any]] = CRISIS_STEPS,
        *,
        cc_card_from_step: int = 1,
    ) -> None:
        self.rules: tuple[WarningRule, ...] = tuple(
            r if isinstance(r, WarningRule) else WarningRule.model_validate(r) for r in rules
        )
        built = [
            lv if isinstance(lv, CrisisLevel) else CrisisLevel.model_validate(lv) for lv in levels
        ]
        self.levels: dict[int, CrisisLevel] = {lv.step: lv for lv in built}
        if not self.rules:
            raise PolicyError("early warning needs at least one rule")
        missing = sorted({r.step for r in self.rules} - set(self.levels))
        if missing:
            raise PolicyError(
                f"early-warning rules ask for crisis step(s) {missing} that no CrisisLevel "
                f"defines; defined steps: {sorted(self.levels)}"
            )
        if not 1 <= cc_card_from_step <= 4:
            raise PolicyError("cc_card_from_step must be 1, 2 or 3 (4: never open a CC Card)")
        self.cc_card_from_step = cc_card_from_step
        self._matchers: tuple[tuple[WarningRule, ...], tuple[_Matcher | None, ...]] = ((), ())

    def __repr__(self) -> str:
        return f"EarlyWarning({len(self.rules)} rules)"

    def _hits(
        self, complaint: Complaint, recent: Mapping[str, int]
    ) -> list[tuple[WarningRule, str]]:
        """``(rule, what matched)`` for every matching rule, in rule order (``WarningRule.match``;
        a plain rule's keyword search is kept per text, as every sweep reads the same texts)."""
        rules, matchers = self._matchers
        if rules is not self.rules:  # built on first use, again if the rules were replaced
            rules = self.rules
            matchers = tuple(_Matcher(r) if type(r) is WarningRule else None for r in rules)
            self._matchers = (rules, matchers)
        out = []
        for rule, matcher in zip(rules, matchers, strict=True):
            why = rule.match(complaint, recent) if matcher is None else matcher(complaint, recent)
            if why:
                out.append((rule, why))
        return out

    def decide(self, ctx: PolicyContext) -> WarningDecision | None:
        """The crisis step the complaint calls for now, or ``None`` if no rule matches."""
        recent = ctx.extra.get("recent_code_counts") or {}
        hits = self._hits(ctx.complaint, recent)
        if not hits:
            return None
        step = max(r.step for r, _ in hits)
        level = self.levels[step]
        return WarningDecision(
            step=step,
            rules=tuple(r.name for r, _ in hits if r.step == step),
            matched=tuple(f"{r.name}: {why}" for r, why in hits),
            safety=any(r.safety for r, _ in hits),
            actions=level.actions,
            notify=resolve_roles(level.notify, ctx.complaint, ctx.organization),
        )

    def next_wake(self, ctx: PolicyContext) -> datetime | None:
        """Always ``None``: the rules read the complaint and the Desk's code counts, never the
        time, so only a change (to this complaint, or one it is counted with) can make the
        sweep speak again."""
        return None

    def _relay(self, ctx: PolicyContext, stamp: Mapping[str, Any]) -> list[DomainEvent]:
        """The warning passed on to people it could not name when raised (no department or
        handler yet): an ``EarlyWarningRaised`` at the same step naming only them."""
        raised = [e for e in ctx.events if isinstance(e, EarlyWarningRaised)]
        if not raised:
            return []
        last = max(raised, key=lambda e: e.step)
        level = self.levels.get(last.step)
        if level is None:
            return []
        told = {agent for e in raised for agent in e.notify}
        new = tuple(
            a for a in resolve_roles(level.notify, ctx.complaint, ctx.organization) if a not in told
        )
        if not new:
            return []
        return [
            EarlyWarningRaised(
                step=last.step, rules=last.rules, actions=last.actions, notify=new, **stamp
            )
        ]

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        """The new events to append (see the class docs); idempotent."""
        decision = self.decide(ctx)
        complaint = ctx.complaint
        if decision is None:
            return self._relay(ctx, self._stamp(ctx))

        stamp = self._stamp(ctx)
        raised = max(
            [complaint.crisis_step]
            + [e.step for e in ctx.events if isinstance(e, EarlyWarningRaised)]
        )
        out: list[DomainEvent] = []
        if decision.step > raised:
            out.append(
                EarlyWarningRaised(
                    step=decision.step,
                    rules=decision.rules,
                    actions=decision.actions,
                    notify=decision.notify,
                    **stamp,
                )
            )
        flagged_before = any(
            isinstance(e, FlagsChanged) and e.trigger == "early_warning" and Flag.SAFETY in e.added
            for e in ctx.events
        )
        if decision.safety and Flag.SAFETY not in complaint.flags and not flagged_before:
            out.append(
                FlagsChanged(
                    added=frozenset({Flag.SAFETY}),
                    reason="; ".join(decision.matched)[:2000],
                    **stamp,
                )
            )
        if decision.step > raised and decision.step >= self.cc_card_from_step:
            out.append(CcCardOpened(card_id=cc_card_id(complaint), step=decision.step, **stamp))
        if decision.step <= raised:
            out.extend(self._relay(ctx, stamp))
        return out

    @staticmethod
    def _stamp(ctx: PolicyContext) -> dict[str, Any]:
        return ctx.system_stamp("early_warning")


class _Params(_Model):
    rules: list[WarningRule] | None = None
    levels: list[CrisisLevel] | None = None
    extra_keywords: dict[str, list[str]] = {}
    cc_card_from_step: Annotated[int, Field(ge=1, le=4)] = 1


def rules_policy(**params: Any) -> EarlyWarning:
    """Registry factory ``early_warning``/``rules``: ``rules`` and ``levels`` (lists of tables;
    default :data:`DEFAULT_RULES` and :data:`CRISIS_STEPS`), ``extra_keywords`` (rule name ->
    keywords added to that rule) and ``cc_card_from_step``.

    >>> policy = default_registry.create("early_warning", "rules",
    ...     extra_keywords={"legal_threat": ["공정위"]})
    >>> "공정위" in next(r for r in policy.rules if r.name == "legal_threat").keywords
    True
    """
    source = "early_warning policy 'rules'"
    checked = validate_mapping(_Params, params, source)
    rules = list(checked.rules) if checked.rules is not None else list(DEFAULT_RULES)
    names = {r.name for r in rules}
    for name, words in checked.extra_keywords.items():
        if name not in names:
            raise PolicyError(
                f"{source}: extra_keywords names unknown rule {name!r}; rules: {', '.join(sorted(names))}"
            )
        rules = [
            r.model_copy(update={"keywords": (*r.keywords, *words)}) if r.name == name else r
            for r in rules
        ]
    levels = checked.levels if checked.levels is not None else CRISIS_STEPS
    return EarlyWarning(rules, levels, cc_card_from_step=checked.cc_card_from_step)


default_registry.register("early_warning", "rules", rules_policy)
