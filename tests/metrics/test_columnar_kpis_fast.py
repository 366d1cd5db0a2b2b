"""``columnar.kpis`` builds its figures a column at a time: the same ``KpiTable`` as the
accumulator, in the accumulator's order, for every shape that construction special-cases (text
keys sorted by Polars and other keys by ``sort_key``, groups absent from the SLA, CSAT and remedy
tables, durations missing in some groups, items Polars does not order as Python does, the
constructor's fallback)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.metrics import CaseRecord, KpiAccumulator, accumulate, to_polars
from ccms.metrics import columnar as col
from ccms.metrics.accumulators import Summary
from ccms.metrics.columnar import kpis
from ccms.metrics.kpi import FIGURES, Kpis, KpiTable, Rate
from ccms.testing._records_strategies import case_records_lists

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
AS_OF = datetime(2026, 5, 1, tzinfo=UTC)
DICTS = ("sla", "csat", "remedy_mix", "remedy_cost")


def records(n: int = 240, seed: int = 5, **fixed: Any) -> list[CaseRecord]:
    """Seeded records with every figure's columns filled (``fixed`` overrides fields)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        at = T0 + timedelta(seconds=rng.randrange(0, 60 * 86_400))
        resolved = (
            at + timedelta(seconds=rng.randrange(0, 9 * 86_400)) if rng.random() < 0.7 else None
        )
        remedy = rng.choice([None, "refund", "repair", "apology"])
        amount = (
            Decimal(rng.randrange(1, 10**6)).scaleb(-2) if remedy and rng.random() < 0.6 else None
        )
        responded = resolved is not None and rng.random() < 0.6
        fields: dict[str, Any] = {
            "id": str(i), "received_at": at, "channel": rng.choice(["web", "phone", "email"]),
            "kind": "complaint", "severity": "low", "segment": rng.choice(["general", "vip"]),
            "stage": "x", "code": rng.choice([None, "PRD", "SVC", "PAY"]),
            "handler": rng.choice([None, "kim", "lee"]),
            "first_response_at": at + timedelta(seconds=rng.randrange(0, 20 * 86_400))
            if rng.random() < 0.8 else None,
            "resolved_at": resolved, "closed_at": resolved if rng.random() < 0.8 else None,
            "rejected": rng.random() < 0.05, "transfers": rng.choice([0, 0, 1, 2, 11]),
            "reopens": rng.choice([0, 0, 1]), "escalation_level": rng.choice([0, 0, 1]),
            "repeat": rng.random() < 0.1, "waiting_seconds": rng.randrange(0, 7200),
            "business_response_seconds": rng.choice([None, rng.randrange(0, 90_000)]),
            "business_resolution_seconds": rng.choice([None, rng.randrange(0, 900_000)]),
            "business_waiting_seconds": rng.randrange(0, 3600),
            "sla_met": tuple(t for t in ("response", "resolution") if rng.random() < 0.5),
            "sla_breached": ("resolution",) if rng.random() < 0.2 else (),
            "remedy": remedy, "remedy_amount": amount,
            "currency": rng.choice(["KRW", "USD"]) if amount is not None else None,
            "feedback_responded": responded,
            "satisfied": rng.choice([None, True, False]) if responded else None,
            "csat": rng.choice([None, 1, 3, 5]) if responded else None,
        }  # fmt: skip
        fields.update(fixed)
        out.append(CaseRecord(**fields))
    return out


def expected(rs: list[CaseRecord], by: tuple[str, ...], **settings: Any) -> KpiTable:
    return accumulate(KpiAccumulator(by, **settings), rs).result()


def assert_same(table: KpiTable, want: KpiTable) -> None:
    """Equal, in the same order (groups, and the items of every mapping), no mapping shared."""
    assert table == want
    assert list(table.by_group) == list(want.by_group)
    seen: set[int] = set()
    for got, exp in [(table.overall, want.overall), *zip(table.by_group.values(),
                                                         want.by_group.values(), strict=True)]:  # fmt: skip
        assert type(got) is Kpis
        for name in DICTS:
            mine = getattr(got, name)
            assert type(mine) is dict
            assert list(mine.items()) == list(getattr(exp, name).items()), name
            assert id(mine) not in seen
            seen.add(id(mine))


@pytest.mark.parametrize(
    "by",
    [(), ("channel",), ("code",), ("handler", "code"), ("channel", "segment", "code"),
     ("month",), ("week", "code"), ("transfers",), ("rejected", "channel")],
)  # fmt: skip
def test_kpis_equal_the_accumulator_for_every_key_shape(by: tuple[str, ...]) -> None:
    rs = records()
    settings = {"zone": "Asia/Seoul", "as_of": AS_OF}
    want = expected(rs, by, **settings)
    assert len(want.by_group) > (1 if by else 0)
    assert_same(kpis(to_polars(rs), by, **settings), want)  # type: ignore[arg-type]


def test_keys_that_are_not_text_sort_as_the_accumulator_sorts_them() -> None:
    rs = records()
    table = kpis(to_polars(rs), ("transfers",))
    assert list(table.by_group) == [(0,), (1,), (11,), (2,)]  # as text, like sort_key
    assert_same(table, expected(rs, ("transfers",)))


def test_missing_keys_come_last() -> None:
    rs = records()
    table = kpis(to_polars(rs), ("handler", "code"))
    keys = list(table.by_group)
    assert keys[-1] == (None, None)
    assert [k for k in keys if k[0] == "kim"][-1] == ("kim", None)
    assert_same(table, expected(rs, ("handler", "code")))


def test_groups_missing_from_the_item_tables_get_empty_mappings() -> None:
    plain = {"sla_met": (), "sla_breached": (), "remedy": None, "remedy_amount": None,
             "currency": None, "csat": None}  # fmt: skip
    rs = records(60, seed=1, channel="web") + records(60, seed=2, channel="phone", **plain)
    table = kpis(to_polars(rs), ("channel",))
    phone, web = table.by_group[("phone",)], table.by_group[("web",)]
    assert (phone.sla, phone.csat, phone.remedy_mix, phone.remedy_cost) == ({}, {}, {}, {})
    assert all((web.sla, web.csat, web.remedy_mix, web.remedy_cost))
    assert_same(table, expected(rs, ("channel",)))


def test_durations_missing_in_some_groups() -> None:
    silent = {"first_response_at": None, "resolved_at": None, "closed_at": None,
              "business_response_seconds": None, "business_resolution_seconds": None,
              "business_waiting_seconds": None}  # fmt: skip
    rs = records(50, seed=3, channel="web") + records(50, seed=4, channel="phone", **silent)
    table = kpis(to_polars(rs), ("channel",))
    phone = table.by_group[("phone",)]
    assert (phone.response.n, phone.response.median, phone.company.mean) == (0, None, None)
    assert table.by_group[("web",)].response.n > 0
    assert_same(table, expected(rs, ("channel",)))


@pytest.mark.parametrize(
    "figures",
    [(), ("status",), ("response",), ("sla",), ("remedy",), ("happy_call",), ("timely",),
     ("waiting", "business"), ("fcr", "reopen", "transfer", "escalation", "repeat"),
     ("sla", "remedy", "happy_call")],
)  # fmt: skip
def test_figure_subsets(figures: tuple[str, ...]) -> None:
    rs = records(120)
    for by in [(), ("channel", "code")]:
        want = expected(rs, by, figures=figures, as_of=AS_OF)
        assert_same(kpis(to_polars(rs), by, figures=figures, as_of=AS_OF), want)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kind", [pl.Categorical(), pl.Enum(["web", "phone", "email", "repair", "refund", "apology"])]
)
def test_dictionary_columns_sort_as_python(kind: pl.DataType) -> None:
    """Keys and items Polars orders by their dictionary (an Enum's category order) take the
    Python sort; a dictionary ``currency`` too (its missing values become "XXX" as text)."""
    rs = records()
    currencies = pl.Enum(["KRW", "USD"]) if isinstance(kind, pl.Enum) else kind
    frame = to_polars(rs).with_columns(
        pl.col("channel", "remedy").cast(kind), pl.col("currency").cast(currencies)
    )
    state = col.kpi_stats(frame, ("channel",))
    assert state == dict(accumulate(KpiAccumulator(("channel",)), rs).groups)
    for by in [("channel",), ("channel", "segment")]:
        table = kpis(frame, by)
        assert_same(table, expected(rs, by))
        assert next(iter(table.by_group))[0] == "email"
        assert list(table.overall.remedy_mix) == ["apology", "refund", "repair"]


def test_lazy_arrow_and_empty_frames() -> None:
    rs = records(80)
    want = expected(rs, ("segment", "channel"))
    assert_same(kpis(to_polars(rs).lazy(), ("segment", "channel")), want)
    assert_same(kpis(to_polars(rs).to_arrow(), ("segment", "channel")), want)
    for by in [(), ("channel", "code")]:
        empty = kpis(to_polars([]), by)
        assert empty.by_group == {}
        assert_same(empty, expected([], by))


def test_the_constructor_fallback_gives_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    rs = records(100)
    fast = kpis(to_polars(rs), ("channel",))
    for cls in (Kpis, Rate, Summary):
        monkeypatch.setitem(col._SETTERS, cls, None)
    slow = kpis(to_polars(rs), ("channel",))
    assert_same(slow, fast)
    assert_same(slow, expected(rs, ("channel",)))


def test_built_objects_are_the_constructors() -> None:
    columns = {"n": [3, 1], "total": [7, 2], "mean": [7 / 3, 2.0], "median": [0, 60],
               "p90": [60, 60], "resolution": [60, 60]}  # fmt: skip
    made = col._built(Summary, columns, 2)
    assert made == [Summary(3, 7, 7 / 3, 0, 60, 60), Summary(1, 2, 2.0, 60, 60, 60)]
    assert hash(made[0]) == hash(Summary(3, 7, 7 / 3, 0, 60, 60))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made[0].n = 4  # type: ignore[misc]
    assert col._rates([1, 0], [2, 0]) == [Rate(1, 2), Rate(0, 0)]
    with pytest.raises(KeyError):
        col._built(Rate, {"n": [1]}, 1)  # every field needs a column


def test_kpis_are_from_parts_of_the_same_counts() -> None:
    """The column-wise Kpis equal ``Kpis.from_parts`` of each group's counts (every field)."""
    rs = records()
    table = kpis(to_polars(rs), ("channel",))
    for (channel,), got in table.by_group.items():
        stats = KpiAccumulator(("channel",))
        accumulate(stats, [r for r in rs if r.channel == channel])
        want = Kpis.from_stats(stats.groups[channel])
        for field in attrs.fields(Kpis):
            assert getattr(got, field.name) == getattr(want, field.name), field.name


@given(
    case_records_lists(),
    st.sampled_from([(), ("channel",), ("code",), ("handler", "segment"), ("day", "code")]),
    st.sets(st.sampled_from(FIGURES)),
)
def test_any_records_keys_and_figures(rs: list[CaseRecord], by, figures) -> None:
    want = expected(rs, by, figures=figures, as_of=AS_OF)
    assert_same(kpis(to_polars(rs), by, figures=figures, as_of=AS_OF), want)


@pytest.mark.parametrize(
    ("met", "breached"),
    [(("response", "response"), ()), ((), ("resolution", "resolution")),
     (("response", "resolution", "response"), ("resolution",)),
     (("resolution",), ("resolution", "resolution")), (("x", "y"), ("y", "z", "y"))],
)  # fmt: skip
def test_sla_lists_with_repeated_targets(met: tuple[str, ...], breached: tuple[str, ...]) -> None:
    """Each element counts, repeats included; a target both met and breached counts breached."""
    rs = records(90, seed=8)
    rs[::3] = [attrs.evolve(r, sla_met=met, sla_breached=breached) for r in rs[::3]]
    by = ("channel",)
    want = expected(rs, by)
    assert any(t in want.overall.sla for t in (*met, *breached))
    assert_same(kpis(to_polars(rs), by), want)


@pytest.mark.parametrize("n", [*range(1, 23), 99, 100, 101, 999, 1000, 1001, 1999])
def test_overall_quantiles_are_the_nearest_ranks(n: int) -> None:
    """The overall median and p90 come from the histogram's running counts, ranks in integers."""
    rng = random.Random(n)
    rs = [
        CaseRecord(id=str(i), received_at=T0, channel=rng.choice(["a", "b"]), kind="complaint",
                   severity="low", segment="general", stage="x",
                   resolved_at=T0 + timedelta(seconds=rng.randrange(0, 5000)))
        for i in range(n)
    ]  # fmt: skip
    for resolution in (1, 60):
        want = expected(rs, ("channel",), resolution=resolution)
        got = kpis(to_polars(rs), ("channel",), resolution=resolution)
        assert (got.overall.resolution.median, got.overall.resolution.p90) == (
            want.overall.resolution.median, want.overall.resolution.p90)  # fmt: skip
        assert_same(got, want)


def test_integer_amounts_become_decimals() -> None:
    """A host frame with whole amounts as integers gives the same Decimal costs."""
    rs = [attrs.evolve(r, remedy_amount=r.remedy_amount.to_integral_value())
          if r.remedy_amount is not None else r for r in records(120)]  # fmt: skip
    frame = to_polars(rs).with_columns(pl.col("remedy_amount").cast(pl.Int64))
    table = kpis(frame, ("channel",))
    costs = [v for k in table.by_group.values() for v in k.remedy_cost.values()]
    assert costs
    assert all(type(v) is Decimal for v in costs)
    assert all(type(v) is Decimal for v in table.overall.remedy_cost.values())
    assert_same(table, expected(rs, ("channel",)))


def test_classes_with_init_work_are_built_by_their_init() -> None:
    """A validator, converter, init hook or hash cache makes ``_built`` call the class."""

    @attrs.frozen(cache_hash=True)
    class Cached:
        a: int

    @attrs.frozen
    class Converted:
        a: int = attrs.field(converter=int)

    @attrs.frozen
    class Hooked:
        a: int

        def __attrs_post_init__(self) -> None:
            object.__setattr__(self, "a", self.a + 1)

    assert col._setters(Rate) is not None
    for cls in (Cached, Converted, Hooked):
        assert col._setters(cls) is None
    assert [hash(x) for x in col._built(Cached, {"a": [1, 2]}, 2)] == [
        hash(Cached(1)),
        hash(Cached(2)),
    ]
    assert col._built(Converted, {"a": ["7"]}, 1) == [Converted(7)]
    assert col._built(Hooked, {"a": [1]}, 1)[0].a == 2
