"""The store suite's part: queries against a brute-force filter, and the stream of complaint events."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import itertools
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.model import (
    Channel,
    Closed,
    Concern,
    HandlerAssigned,
    SlaApplied,
    VocKind,
)
from ccms.store.base import (
    ComplaintQuery,
    ComplaintStore,
    StoredEvent,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    NEW_YORK,
    SEOUL,
    Command,
    StoreFactory,
    advance,
    append_histories,
    brute_force_query,
    complaint_histories,
    complaint_queries,
    received_event,
)

__all__ = ["StoreQuerySuite"]


class StoreQuerySuite(StoreSuiteBase):
    """Queries against a brute-force filter, and the stream of complaint events."""

    # -- queries --------------------------------------------------------------------------------

    def test_every_query_matches_a_brute_force_filter(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(
            histories=complaint_histories(),
            queries=st.lists(complaint_queries(), min_size=1, max_size=6),
        )
        def check(histories: list[list[Command]], queries: list[ComplaintQuery]) -> None:
            with make_store() as store:
                append_histories(store, histories)
                finals = [h[-1][0] for h in histories]
                for q in queries:
                    expected = brute_force_query(q, finals)
                    got = store.query(q)
                    assert [c.id for c in got] == [c.id for c in expected], q
                    assert got == expected
                    assert store.count(q) == len(expected)
                    assert q.select(finals) == expected
                    keywords = {
                        name: getattr(q, name)
                        for name in ComplaintQuery.fields()
                        if getattr(q, name) not in (None, False)
                    }
                    assert store.query(**keywords) == expected
                load: dict[str, int] = {}
                for c in finals:
                    if c.handler is not None and c.closed_at is None:
                        load[c.handler] = load.get(c.handler, 0) + 1
                assert store.open_load() == load
                assert len(store) == len(finals)
                assert list(store.ids()) == [c.id for c in finals]
                for c in finals:
                    assert store.get(c.id) == c

        check()

    def test_query_examples(self, store: ComplaintStore) -> None:
        # Hand-made: three complaints, one overdue, one closed, one received at the same instant.
        a = received_event("A", datetime(2026, 10, 1, 18, tzinfo=SEOUL), code="PRD.DEF")
        b = received_event("B", datetime(2026, 10, 1, 9, tzinfo=UTC), channel=Channel.WEB)
        c0 = received_event("C", datetime(2026, 10, 1, 5, tzinfo=NEW_YORK), code="SVC.STAFF")
        ca, ea = a.apply(None), (a,)
        store.append(ca, ea, expected_version=0)
        cb = b.apply(None)
        store.append(cb, [b], expected_version=0)
        cc = c0.apply(None)
        store.append(cc, [c0], expected_version=0)
        ca2, h = advance(
            ca, HandlerAssigned, ca.received_at, stage="handler_assigned", handler="kim"
        )
        ca2, s = advance(
            ca2,
            SlaApplied,
            ca.received_at,
            same_command=True,
            table_version="v",
            due_at=datetime(2026, 10, 2, tzinfo=UTC),
        )
        store.append(ca2, [h, s], expected_version=1)
        cb2, closed = advance(cb, Closed, datetime(2026, 10, 2, tzinfo=UTC), stage="closed")
        store.append(cb2, [closed], expected_version=1)
        # A at 09:00Z (18:00 in Seoul), B at 09:00Z, C at 09:00Z (05:00 in New York): id breaks ties.
        assert [c.id for c in store.query()] == ["A", "B", "C"]
        assert [c.id for c in store.query(open_only=True)] == ["A", "C"]
        assert [
            c.id for c in store.query(overdue_at=datetime(2026, 10, 2, 0, 0, 1, tzinfo=UTC))
        ] == ["A"]
        assert store.query(overdue_at=datetime(2026, 10, 2, tzinfo=UTC)) == []
        assert [c.id for c in store.query(code_prefix="PRD")] == ["A"]
        assert [c.id for c in store.query(code_prefix="S", limit=5)] == ["C"]
        assert [c.id for c in store.query(channel="web")] == ["B"]
        assert [c.id for c in store.query(stages={"received", "closed"})] == ["B", "C"]
        assert store.query(stages=set()) == []
        assert store.query(received_from=datetime(2026, 10, 1, 9, 0, 1, tzinfo=UTC)) == []
        assert len(store.query(received_to=datetime(2026, 10, 1, 9, 0, 1, tzinfo=UTC))) == 3
        assert store.query(received_to=datetime(2026, 10, 1, 18, tzinfo=SEOUL)) == []
        assert [c.id for c in store.query(limit=2)] == ["A", "B"]
        assert store.count(handler="kim") == 1
        assert store.open_load() == {"kim": 1}

    def test_code_prefix_edge_cases(self, store: ComplaintStore) -> None:
        coded = received_event(
            "K",
            _T0,
            concerns=(
                Concern(kind=VocKind.COMPLAINT, code="PRD.DEF", text="a"),
                Concern(kind=VocKind.COMPLAINT, code="SVC", text="b"),
            ),
        )
        bare = received_event("N", _T0)
        for e in (coded, bare):
            store.append(e.apply(None), [e], expected_version=0)
        assert [c.id for c in store.query(code_prefix="")] == ["K"]  # some code, any code
        assert [c.id for c in store.query(code_prefix="SV")] == ["K"]
        assert [c.id for c in store.query(code_prefix="PRD.DEF")] == ["K"]
        assert store.query(code_prefix="PRD.DEF.") == []
        assert store.query(code_prefix="DEF") == []  # a prefix, not a substring
        assert store.query(code_prefix="PRD.DEF\nSVC") == []
        assert store.query(code_prefix="prd") == []
        assert store.query(code_prefix="PRD%") == []
        assert store.query(code_prefix="PRD_DEF") == []

    # -- the stream -----------------------------------------------------------------------------

    def test_the_stream_is_the_append_order(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(histories=complaint_histories(max_size=10), cut=st.integers(0, 40))
        def check(histories: list[list[Command]], cut: int) -> None:
            with make_store() as store:
                results = append_histories(store, histories)
                stream = list(store.stream())
                positions = [s.position for s in stream]
                assert all(p > 0 for p in positions)
                assert all(a < b for a, b in itertools.pairwise(positions))
                assert positions == [p for r in results for p in r.positions]
                assert [s.event for s in stream] == [e for r in results for e in r.events]
                for history in histories:
                    cid = history[0][0].id
                    mine = [s.event for s in stream if s.complaint_id == cid]
                    assert mine == store.events(cid)
                    assert mine == [e for _, events in history for e in events]
                after = positions[cut] if cut < len(positions) else cut
                assert list(store.stream(after=after)) == [s for s in stream if s.position > after]

        check()

    def test_the_stream_is_lazy(self, store: ComplaintStore) -> None:
        for i in range(3):
            e = received_event(f"S{i}", _T0)
            store.append(e.apply(None), [e], expected_version=0)
        it = store.stream()
        first = next(it)
        assert isinstance(first, StoredEvent)
        assert first.complaint_id == "S0"
        e = received_event("S3", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        rest = [s.complaint_id for s in it]
        assert rest[:2] == ["S1", "S2"]
