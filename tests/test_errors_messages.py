"""``ccms.errors``: each error is a ``CCMSError`` and the built-in callers already catch, keeps
its facts as typed attributes, and says in its message what was wrong and what is allowed.

One example per exported class; a class added to ``ccms.errors`` without one fails
``test_every_exported_error_has_an_example``.
"""

from __future__ import annotations

import ast
import builtins
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import ccms.errors as e


@dataclass(frozen=True)
class Case:
    make: Callable[[], e.CCMSError]
    builtin: type[BaseException]
    facts: dict[str, Any] = field(default_factory=dict)
    says: tuple[str, ...] = ()


NAIVE = datetime(2026, 3, 2, 9, 0)  # naive on purpose: the error is about exactly this
EARLIER = datetime(2024, 11, 3, 1, 30, tzinfo=timezone(timedelta(hours=-4)))
LATER = datetime(2024, 11, 3, 1, 30, tzinfo=timezone(timedelta(hours=-5)))

CASES: dict[str, Case] = {
    "CCMSError": Case(lambda: e.CCMSError("plain"), Exception, {}, ("plain",)),
    "InvalidInput": Case(lambda: e.InvalidInput("bad phone"), ValueError, {}, ("bad phone",)),
    "NaiveDatetimeError": Case(
        lambda: e.NaiveDatetimeError("received_at", NAIVE),
        ValueError,
        {"field": "received_at", "value": NAIVE},
        ("received_at", "timezone-aware", "attach a tzinfo"),
    ),
    "UnknownMember": Case(
        lambda: e.UnknownMember("agent", "kin", ["kim", "lee"]),
        LookupError,
        {"what": "agent", "ident": "kin"},
        ("unknown agent 'kin'", "did you mean kim"),
    ),
    "FoldError": Case(lambda: e.FoldError("version gap at 3"), ValueError, {}, ("version gap",)),
    "TaxonomyError": Case(lambda: e.TaxonomyError("a cycle"), ValueError, {}, ("a cycle",)),
    "UnknownVocCode": Case(
        lambda: e.UnknownVocCode("PRD.DEFF", ["PRD.DEF"]),
        LookupError,
        {"code": "PRD.DEFF", "known": ("PRD.DEF",)},
        ("'PRD.DEFF'", "closest known: PRD.DEF"),
    ),
    "RetiredVocCode": Case(
        lambda: e.RetiredVocCode("OLD.X", date(2026, 5, 1), "retired 2026-01-01", "NEW.X"),
        LookupError,
        {"code": "OLD.X", "as_of": date(2026, 5, 1), "successor": "NEW.X"},
        ("'OLD.X'", "2026-05-01", "retired 2026-01-01", "use 'NEW.X'"),
    ),
    "InvalidTransition": Case(
        lambda: e.InvalidTransition("C1", stage="closed", trigger="assign", allowed=("reopen",)),
        ValueError,
        {"complaint_id": "C1", "stage": "closed", "trigger": "assign", "allowed": ("reopen",)},
        ("complaint C1", "'closed'", "'assign'", "allowed from there: reopen"),
    ),
    "GuardRejected": Case(
        lambda: e.GuardRejected(
            "C1",
            stage="handling",
            trigger="close",
            allowed=("close",),
            guard="has_result",
            reason="no result registered",
        ),
        ValueError,
        {"complaint_id": "C1", "guard": "has_result", "reason": "no result registered"},
        ("complaint C1", "'close'", "guard 'has_result'", "no result registered"),
    ),
    "NotPermitted": Case(
        lambda: e.NotPermitted(
            "C1",
            stage="received",
            trigger="close",
            allowed=("close",),
            role="cs",
            roles=("manager",),
        ),
        ValueError,
        {"role": "cs", "roles": ("manager",), "trigger": "close"},
        ("complaint C1", "role 'cs' may not fire it", "roles that may: manager"),
    ),
    "WorkflowDefinitionError": Case(
        lambda: e.WorkflowDefinitionError("voc", ["stage 'x' is unreachable", "dead end 'y'"]),
        ValueError,
        {"name": "voc", "problems": ("stage 'x' is unreachable", "dead end 'y'")},
        ("workflow 'voc'", "unreachable", "dead end"),
    ),
    "ComplaintNotFound": Case(
        lambda: e.ComplaintNotFound("C9"),
        KeyError,
        {"complaint_id": "C9"},
        ("no complaint with id 'C9'",),
    ),
    "DuplicateComplaint": Case(
        lambda: e.DuplicateComplaint("C9"), ValueError, {"complaint_id": "C9"}, ("'C9'", "already")
    ),
    "CustomerNotFound": Case(
        lambda: e.CustomerNotFound("CU-1"),
        KeyError,
        {"customer_id": "CU-1"},
        ("'CU-1'", "save_customer()"),
    ),
    "InvalidAppend": Case(
        lambda: e.InvalidAppend("C1", "no events given", "one or more events"),
        ValueError,
        {"complaint_id": "C1", "problem": "no events given", "allowed": "one or more events"},
        ("complaint C1", "no events given", "allowed: one or more events"),
    ),
    "StoreError": Case(lambda: e.StoreError("disk full"), RuntimeError, {}, ("disk full",)),
    "StoreClosed": Case(
        lambda: e.StoreClosed("SQLiteStore('a.db')"),
        RuntimeError,
        {"store": "SQLiteStore('a.db')"},
        ("SQLiteStore('a.db') is closed", "open a new store"),
    ),
    "ConcurrencyConflict": Case(
        lambda: e.ConcurrencyConflict("C1", expected=3, actual=4),
        RuntimeError,
        {"complaint_id": "C1", "expected": 3, "actual": 4},
        ("complaint C1", "version 4", "expected 3", "reload and retry"),
    ),
    "IdempotencyConflict": Case(
        lambda: e.IdempotencyConflict("k1", "for start on C2", first="classify", attempted="start"),
        RuntimeError,
        {"key": "k1", "first": "classify", "attempted": "start"},
        ("'k1'", "for start on C2"),
    ),
    "StoreBusy": Case(
        lambda: e.StoreBusy("PostgresStore", "append", "lock timeout"),
        RuntimeError,
        {"store": "PostgresStore", "operation": "append", "reason": "lock timeout"},
        ("PostgresStore is busy during append", "lock timeout", "nothing was changed", "retry"),
    ),
    "NoDecision": Case(
        lambda: e.NoDecision("C1", "department", ["no rule matched", "no default"]),
        LookupError,
        {"complaint_id": "C1", "what": "department", "reasons": ("no rule matched", "no default")},
        ("complaint C1", "no department could be chosen", "no rule matched; no default"),
    ),
    "UnknownItem": Case(
        lambda: e.UnknownItem("improvement task", "IMP-9", ["IMP-1", "IMP-2"]),
        LookupError,
        {"noun": "improvement task", "item_id": "IMP-9", "known": ("IMP-1", "IMP-2")},
        ("no improvement task 'IMP-9'", "known: IMP-1, IMP-2"),
    ),
    "ConfigError": Case(
        lambda: e.ConfigError("sla.toml", "targets.first", "not a duration", "e.g. 3d or 8bh"),
        ValueError,
        {"source": "sla.toml", "key": "targets.first", "problem": "not a duration"},
        ("sla.toml: targets.first: not a duration", "allowed: e.g. 3d or 8bh"),
    ),
    "PolicyError": Case(lambda: e.PolicyError("no rules"), ValueError, {}, ("no rules",)),
    "RegistryError": Case(lambda: e.RegistryError("unknown 'x'"), LookupError, {}, ("'x'",)),
    "CalendarError": Case(lambda: e.CalendarError("open after close"), ValueError, {}, ("open",)),
    "MissingExtra": Case(
        lambda: e.MissingExtra("columnar", "polars"),
        ImportError,
        {"extra": "columnar", "package": "polars", "name": "polars"},
        ("needs polars", "pip install 'ccms[columnar]'"),
    ),
    "IncompatibleModel": Case(
        lambda: e.IncompatibleModel("model.skops", "format version 3; this ccms reads 2"),
        ValueError,
        {"source": "model.skops", "problem": "format version 3; this ccms reads 2"},
        ("model.skops", "format version 3"),
    ),
    "StoreReadOnly": Case(
        lambda: e.StoreReadOnly("SQLiteStore('r.db')", "append"),
        RuntimeError,
        {"store": "SQLiteStore('r.db')", "operation": "append"},
        ("read-only", "append is refused", "nothing was written"),
    ),
    "NotACcmsStore": Case(
        lambda: e.NotACcmsStore("notes.db", "not an SQLite file"),
        RuntimeError,
        {"path": "notes.db", "why": "not an SQLite file"},
        ("notes.db is not a ccms store", "not an SQLite file", "nothing was written"),
    ),
    "StoreSchemaError": Case(
        lambda: e.StoreSchemaError("a.db", found=9, supported=5, what="upgrade ccms"),
        RuntimeError,
        {"where": "a.db", "found": 9, "supported": 5},
        ("a.db", "version 9", "version 5", "upgrade ccms"),
    ),
    "InvalidRecordAppend": Case(
        lambda: e.InvalidRecordAppend("idea", "IDEA-1", "version gap", "version 2"),
        ValueError,
        {"kind": "idea", "stream_id": "IDEA-1", "complaint_id": "IDEA-1", "allowed": "version 2"},
        ("idea stream IDEA-1", "version gap", "allowed: version 2"),
    ),
    "StreamConflict": Case(
        lambda: e.StreamConflict("idea", "IDEA-1", expected=1, actual=2),
        RuntimeError,
        {"kind": "idea", "stream_id": "IDEA-1", "complaint_id": "IDEA-1", "expected": 1},
        ("idea stream IDEA-1", "version 2", "expected 1", "reload and retry"),
    ),
    "CheckpointConflict": Case(
        lambda: e.CheckpointConflict("cs_points", expected=100, actual=140),
        RuntimeError,
        {"name": "cs_points", "complaint_id": "cs_points", "expected": 100, "actual": 140},
        ("checkpoint cs_points", "position 140", "expected 100"),
    ),
    "InvalidCheckpoint": Case(
        lambda: e.InvalidCheckpoint("cs_points", "position -1", "a position >= 0"),
        ValueError,
        {"name": "cs_points", "problem": "position -1", "allowed": "a position >= 0"},
        ("checkpoint cs_points", "position -1", "allowed: a position >= 0"),
    ),
    "ReportSourceNotFound": Case(
        lambda: e.ReportSourceNotFound(Path("nowhere") / "voc.db"),
        FileNotFoundError,
        {"path": str(Path("nowhere") / "voc.db")},
        (f"no complaint store at {Path('nowhere') / 'voc.db'}", "--db PATH"),
    ),
    "ConformanceError": Case(
        lambda: e.ConformanceError("least_loaded()", "deterministic", "kim, then lee"),
        AssertionError,
        {"policy": "least_loaded()", "prop": "deterministic", "detail": "kim, then lee"},
        ("least_loaded() breaks 'deterministic': kim, then lee",),
    ),
    "HeaderNotFound": Case(
        lambda: e.HeaderNotFound("cfpb.csv", 4, "columns 'Date received'"),
        ValueError,
        {"source": "cfpb.csv", "lines": 4, "expected": "columns 'Date received'"},
        ("cfpb.csv", "first 4 lines", "expected columns 'Date received'"),
    ),
    "UnknownZone": Case(
        lambda: e.UnknownZone("Mars/Olympus"),
        ValueError,
        {"name": "Mars/Olympus"},
        ("unknown time zone 'Mars/Olympus'", "IANA name"),
    ),
    "AmbiguousLocalTime": Case(
        lambda: e.AmbiguousLocalTime(
            datetime(2024, 11, 3, 1, 30), "America/New_York", EARLIER, LATER
        ),
        ValueError,
        {"zone": "America/New_York", "earlier": EARLIER, "later": LATER},
        ("2024-11-03 01:30:00 happened twice in America/New_York", EARLIER.isoformat()),
    ),
    "NonexistentLocalTime": Case(
        lambda: e.NonexistentLocalTime(
            datetime(2024, 3, 10, 2, 30), "America/New_York", 60, forward=LATER, backward=EARLIER
        ),
        ValueError,
        {"zone": "America/New_York", "minutes": 60, "forward": LATER, "backward": EARLIER},
        ("does not exist in America/New_York", "60 minutes", f"reads it as {LATER.isoformat()}"),
    ),
    "WeakPseudonymKey": Case(
        lambda: e.WeakPseudonymKey("bytes", length=5, minimum=32),
        ValueError,
        {"kind": "bytes", "length": 5, "minimum": 32},
        ("at least 32 bytes, got 5", "secrets.token_bytes"),
    ),
}

EXPORTED = sorted(name for name in e.__all__ if isinstance(getattr(e, name), type))


def test_every_exported_error_has_an_example() -> None:
    assert set(EXPORTED) == set(CASES)


@pytest.mark.parametrize("name", EXPORTED)
def test_the_error_is_a_ccms_error_and_its_builtin(name: str) -> None:
    case = CASES[name]
    err = case.make()
    assert type(err) is getattr(e, name)
    assert type(err).__module__ == "ccms.errors"
    assert isinstance(err, e.CCMSError)
    assert isinstance(err, case.builtin)
    if name != "CCMSError":
        builtins = [b for b in type(err).__mro__ if b.__module__ == "builtins"]
        assert builtins[0] is not Exception, f"{name} adds no built-in base"


@pytest.mark.parametrize("name", EXPORTED)
def test_the_error_keeps_its_facts_and_says_them(name: str) -> None:
    case = CASES[name]
    err = case.make()
    for attribute, value in case.facts.items():
        assert getattr(err, attribute) == value, attribute
    message = str(err)
    for fragment in case.says:
        assert fragment in message, f"{name}: {fragment!r} not in {message!r}"
    with pytest.raises(case.builtin) as raised:
        raise err
    assert raised.value is err


@pytest.mark.parametrize(
    "name", [n for n in EXPORTED if n in {"ComplaintNotFound", "CustomerNotFound", "NoDecision"}]
)
def test_lookup_errors_print_their_sentence_not_a_quoted_key(name: str) -> None:
    message = str(CASES[name].make())
    assert not message.startswith(("'", '"')), message


@pytest.mark.parametrize("name", EXPORTED)
def test_every_error_pickles_with_its_message_and_facts(name: str) -> None:
    # Constructors take facts (often keyword-only), not the message: a plain Exception's
    # pickling would call them with the message alone and fail in the receiving process.
    case = CASES[name]
    err = case.make()
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err)
    assert str(again) == str(err)
    assert again.args == err.args
    for attribute, value in case.facts.items():
        assert getattr(again, attribute) == value, attribute


def test_errors_without_arguments_of_their_own_still_pickle() -> None:
    err = e.InvalidInput("bad phone")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is e.InvalidInput
    assert str(again) == "bad phone"


def test_require_aware_refuses_naive_and_non_datetimes() -> None:
    with pytest.raises(e.NaiveDatetimeError, match="at must be a timezone-aware") as naive:
        e.require_aware(NAIVE, "at")
    assert naive.value.field == "at"
    with pytest.raises(e.InvalidInput, match="got str '2026-03-02'"):
        e.require_aware("2026-03-02", "at")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- one home

SRC = Path(e.__file__).parent
#: Exception classes that may live outside ccms.errors, and why.
ALLOWED_OUTSIDE = {
    # Also a Hypothesis InvalidArgument: in ccms.errors, every module would import Hypothesis.
    "InvalidStrategyArgument",
    # A private signal inside the store's JSON codec, never raised to a caller.
    "_NotJson",
}
_EXCEPTION_BASES = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
} | {*e.__all__, "InvalidArgument"}


def _exception_classes(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                for b in node.bases
            }
            if bases & _EXCEPTION_BASES:
                found.append(node.name)
    return found


def test_no_exception_class_lives_outside_ccms_errors() -> None:
    outside = {
        (path.relative_to(SRC).as_posix(), name)
        for path in SRC.rglob("*.py")
        if path.name != "errors.py" or path.parent != SRC
        for name in _exception_classes(path)
    }
    assert {name for _, name in outside} <= ALLOWED_OUTSIDE, sorted(outside)
    assert _exception_classes(SRC / "errors.py"), "the scan finds the classes it looks for"
