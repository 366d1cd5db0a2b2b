"""Retention: closed complaints older than the policy's age are anonymised, as events, once;
the others are untouched and every figure stays the same."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccms.desk import Desk, apply_retention
from ccms.errors import InvalidInput
from ccms.model import REDACTED, Redacted
from ccms.model.redaction import ANONYMOUS_PREFIX, anonymous_id
from ccms.policy.retention import RetentionPolicy
from ccms.store import InMemoryStore, SQLiteStore
from privacy_kit import AS_OF, Population, everything, figures, populations


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    population=populations(max_complaints=6),
    days=st.integers(1, 2_600),
    now=st.sampled_from([AS_OF, datetime(2027, 1, 1, tzinfo=UTC)]),
)
def test_retention_anonymises_what_expired_once_and_keeps_every_figure(
    kind: str, population: Population, days: int, now: datetime
) -> None:
    store = SQLiteStore() if kind == "sqlite" else InMemoryStore()
    population.fill(store)
    policy = RetentionPolicy(days=days)
    cutoff = now - timedelta(days=days)
    snapshots = {c.id: c for c in store.query()}
    expired = [
        cid for cid, c in snapshots.items() if c.closed_at is not None and c.closed_at <= cutoff
    ]
    desk = Desk(store)
    for cid in snapshots:
        desk.get(cid)  # cached
    before = figures(store)
    log_length = len(list(store.log()))

    run = apply_retention(store, policy, now=now)

    assert run.cutoff == cutoff
    assert sorted(run.complaints) == sorted(expired)
    assert [e.complaint_id for e in run.events] == list(run.complaints)
    assert all(isinstance(e, Redacted) and e.purpose == "retention" for e in run.events)
    assert figures(store) == before
    assert len(list(store.log())) == log_length + len(expired)
    owners = {cid: population.people[owner] for owner, (cid, _) in _ids(population)}
    for cid, old in snapshots.items():
        new = desk.get(cid)
        if cid in expired:
            assert new.customer.id == anonymous_id(cid)
            assert new.customer.id.startswith(ANONYMOUS_PREFIX)
            assert (new.customer.segment, new.customer.region) == (
                old.customer.segment,
                old.customer.region,
            )
            assert {c.text for c in new.concerns} == {REDACTED}
            history = " ".join(e.model_dump_json() for e in desk.history(cid))
            person = owners[cid]
            assert not [v for v in everything(person.contact()) if v in history]
            assert not [t for t in person.texts if t in history]
        else:
            assert new == old
    # running it again (or later with nothing new expired) adds nothing
    assert apply_retention(store, policy, now=now).events == ()
    assert len(list(store.log())) == log_length + len(expired)
    assert figures(store) == before
    store.close()


def _ids(population: Population) -> list[tuple[int, tuple[str, object]]]:
    return [(owner, (events[0].complaint_id, events)) for owner, events in population.plans]


def test_retention_needs_a_policy_and_an_aware_now() -> None:
    store = InMemoryStore()
    with pytest.raises(InvalidInput):
        apply_retention(store, 30, now=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        apply_retention(store, RetentionPolicy(days=30), now=AS_OF.replace(tzinfo=None))
    for bad in (0, -1, 36_501, 1.5, True, "30"):
        with pytest.raises(InvalidInput):
            RetentionPolicy(days=bad)  # type: ignore[arg-type]
    assert apply_retention(store, RetentionPolicy(days=30), now=AS_OF).complaints == ()
