"""The same calculators on a local Dask cluster give exactly the single-process figures."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ccms.metrics import (
    BacklogAccumulator,
    CaseRecord,
    FairnessAccumulator,
    KpiAccumulator,
    SurveyBiasAccumulator,
    WorkloadAccumulator,
    accumulate,
    to_polars,
)

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
db = pytest.importorskip("dask.bag")
dd = pytest.importorskip("dask.dataframe")

from ccms.metrics.dask import accumulate_bag, accumulate_frame  # noqa: E402

pytestmark = pytest.mark.dask_cluster

START = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF = datetime(2026, 2, 20, tzinfo=UTC)


def make_records(n: int, seed: int = 7) -> list[CaseRecord]:
    """Plausible records from a seeded generator (fast; the shapes the properties exercise)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        received = START + timedelta(seconds=rng.randrange(60 * 86_400))
        resolved = (
            received + timedelta(seconds=rng.randrange(20 * 86_400)) if rng.random() < 0.7 else None
        )
        closed = resolved if resolved is not None and rng.random() < 0.8 else None
        responded = rng.random() < 0.6
        remedy = rng.choice([None, "refund", "exchange", "apology", "compensation"])
        amount = Decimal(rng.randrange(10**7)).scaleb(-2) if remedy and rng.random() < 0.5 else None
        handlers = tuple(rng.sample(["kim", "lee", "park", "choi"], rng.randrange(4)))
        out.append(
            CaseRecord(
                id=str(i), received_at=received, channel=rng.choice(["web", "phone", "email"]),
                kind=rng.choice(["complaint", "inquiry"]), severity="low",
                segment=rng.choice(["general", "vip"]), stage="closed" if closed else "open",
                code=rng.choice(["PRD.DEF", "PAY.REF", "SVC.ATT.RUDE", None]),
                region=rng.choice(["seoul", "busan", None]),
                handler=handlers[-1] if handlers else None, handlers=handlers,
                first_response_at=received + timedelta(seconds=rng.randrange(3 * 86_400))
                if rng.random() < 0.8 else None,
                resolved_at=resolved, closed_at=closed, transfers=rng.randrange(3),
                reopens=rng.randrange(2), escalation_level=rng.randrange(2),
                waiting_seconds=rng.randrange(86_400),
                business_resolution_seconds=rng.randrange(10 * 86_400) if resolved else None,
                sla_met=("response",) if rng.random() < 0.5 else (),
                sla_breached=("resolution",) if rng.random() < 0.2 else (),
                remedy=remedy, remedy_amount=amount, currency="KRW" if amount is not None else None,
                feedback_responded=responded, satisfied=rng.random() < 0.7 if responded else None,
                csat=rng.randrange(1, 6) if responded else None,
                supervisor_requested=rng.random() < 0.1, courtesy=rng.random() < 0.1,
                repeat=rng.random() < 0.05,
            )
        )  # fmt: skip
    return out


RECORDS = make_records(2000)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    # In-process workers: starts in well under a second and still runs the real scheduler,
    # task graph and merges across two workers.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def bag(client: object) -> object:
    """The records spread over the workers once (shipping them dominates a test's time)."""
    return db.from_sequence(RECORDS, npartitions=7).persist()


FACTORIES = {
    "kpi": lambda: KpiAccumulator(("channel", "month"), as_of=AS_OF),
    "kpi_business": lambda: KpiAccumulator(("code",), zone="Asia/Seoul", resolution=3600),
    "backlog": lambda: BacklogAccumulator(AS_OF, ("segment",)),
    "fairness": lambda: FairnessAccumulator("resolution_time", "channel"),
    "remedy_amount": lambda: FairnessAccumulator("remedy_amount", "segment", currency="KRW"),
    "workload": lambda: WorkloadAccumulator({"kim": 2, "lee": 1}),
    "survey": lambda: SurveyBiasAccumulator("region"),
}


def _state(acc: object) -> object:
    if isinstance(acc, KpiAccumulator):
        return acc.result(), dict(acc.groups)
    if isinstance(acc, FairnessAccumulator):
        return acc.cells
    return acc.result()  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", FACTORIES)
def test_bag_on_a_cluster_equals_one_process(bag: object, name: str) -> None:
    factory = FACTORIES[name]
    on_cluster = accumulate_bag(bag, factory, split_every=3)
    assert _state(on_cluster) == _state(accumulate(factory(), RECORDS))


def test_dataframe_on_a_cluster_equals_one_process(client: object) -> None:
    pdf = to_polars(RECORDS).to_pandas(use_pyarrow_extension_array=True)
    frame = dd.from_pandas(pdf, npartitions=5)
    factory = FACTORIES["kpi"]
    on_cluster = accumulate_frame(frame, factory, split_every=2)
    single = accumulate(factory(), RECORDS)
    assert dict(on_cluster.groups) == dict(single.groups)
    assert on_cluster.result() == single.result()


FRAME_FACTORIES = {
    "kpi": FACTORIES["kpi"],
    "fairness_by_region": lambda: FairnessAccumulator("resolution_time", "region"),
    "backlog": FACTORIES["backlog"],
}


@pytest.mark.parametrize("name", FRAME_FACTORIES)
def test_polars_and_arrow_frames_over_four_partitions_equal_one_pass(
    client: object, name: str
) -> None:
    from ccms.metrics import to_arrow
    from ccms.metrics.dask import to_dask

    factory = FRAME_FACTORIES[name]
    single = accumulate(factory(), RECORDS)
    for frame in (to_polars(RECORDS), to_arrow(RECORDS), to_dask(to_polars(RECORDS), 4)):
        on_cluster = accumulate_frame(frame, factory, npartitions=4)
        assert _state(on_cluster) == _state(single)
        assert on_cluster.result() == single.result()


def test_a_frame_whose_lists_dask_made_text_is_refused_with_the_fix(client: object) -> None:
    from ccms.errors import InvalidInput

    frame = dd.from_pandas(to_polars(RECORDS).to_pandas(), npartitions=2)
    with pytest.raises(InvalidInput, match=r"Dask's string conversion.*to_dask\(frame"):
        accumulate_frame(frame, FACTORIES["kpi"])
