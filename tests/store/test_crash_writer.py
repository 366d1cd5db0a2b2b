"""A writer process killed with SIGKILL at random points loses nothing it acknowledged and
leaves no half-written command.

The writer runs the real ``Desk.standard`` through an endless, seeded plan of commands (three
complaints at a time, each through a whole lifecycle) and acknowledges each command only after
the Desk returned it: a line with its key, written and fsynced to a file. It is killed again and
again, each run resuming after its last acknowledged command (and resending the one that was in
flight, with the same key: stored once whether or not it had reached the store). After every
kill the store is opened anew and checked: every stream folds to its snapshot with versions
contiguous from 1, the global log has no gap, each complaint's history is a prefix of its plan
with every command once, and every acknowledged command is there. At the end the store holds,
event for event, what one uninterrupted writer stores for the same commands.

Half of the kills come from inside the writer, at a seeded statement: on SQLite from the
connection's trace callback as the statement begins (so inside an append's transaction too), on
PostgreSQL just before a query is sent (between an append's call and its durability barrier
too); the others at a seeded random moment, after those (so the first half is the same every run). ``CCMS_HEAVY=1`` (or the ``heavy`` Hypothesis
profile) kills many more times. PostgreSQL needs ``CCMS_POSTGRES_URL`` as in
``tests/store/test_store_postgres.py`` (skipped without it unless ``CCMS_REQUIRE_POSTGRES=1``).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from conc_kit import (
    PRELOAD,
    StoreSpec,
    check_crash,
    crash_writer,
    first_difference,
    read_acks,
    reference_histories,
)
from postgres_kit import postgres_url

HEAVY = os.environ.get("CCMS_HEAVY") == "1" or os.environ.get("HYPOTHESIS_PROFILE") == "heavy"
SEED = int(os.environ.get("CCMS_CRASH_SEED", "20261202"))
KILLS = {"sqlite": 200 if HEAVY else 50, "postgres": 120 if HEAVY else 20}
#: The kills "at a seeded statement" fall within the first this many (about the writer's first
#: ten commands).
STATEMENTS = {"sqlite": 100, "postgres": 50}

CTX = multiprocessing.get_context("forkserver")
CTX.set_forkserver_preload(PRELOAD)


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    if request.param == "sqlite":
        yield StoreSpec("sqlite", str(tmp_path / "crash.db"))
        return
    url = postgres_url()
    schema = f"t_crash_{uuid.uuid4().hex[:16]}"
    yield StoreSpec("postgres", url, schema=schema)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_a_writer_killed_at_random_loses_nothing_acknowledged(
    spec: StoreSpec, tmp_path: Path
) -> None:
    started = time.perf_counter()
    acks = tmp_path / "acks.txt"
    rng = random.Random(SEED)
    kills = {"statement": 0, "timer": 0}
    points: Counter[str] = Counter()  # the statements the writer was killed at
    transactions = 0  # of those, inside an open SQLite transaction
    stored_after: list[int] = []
    runs = 0
    checks = 0.0  # seconds spent checking the store after the kills
    checked = 0  # acknowledgements whose keys were checked
    while sum(kills.values()) < KILLS[spec.kind]:
        runs += 1
        assert runs <= 3 * KILLS[spec.kind], f"the writer keeps ending by itself: {kills}"
        # first half at seeded statements (the same kills every run), then at seeded moments
        inside = sum(kills.values()) < KILLS[spec.kind] // 2
        die_at = rng.randint(1, STATEMENTS[spec.kind]) if inside else None
        note = Path(f"{acks}.kill")
        note.unlink(missing_ok=True)
        ready = CTX.Event()
        writer = CTX.Process(
            target=crash_writer, args=(spec, str(acks), SEED, die_at, ready), daemon=True
        )
        writer.start()
        if die_at is None:
            assert ready.wait(timeout=60), "the writer did not start within 60 s"
            time.sleep(rng.uniform(0.0, 0.15))
            assert writer.is_alive(), f"the writer ended by itself (exit {writer.exitcode})"
            writer.kill()
        writer.join(timeout=60)
        assert writer.exitcode == -signal.SIGKILL, (
            f"the writer ended with {writer.exitcode}, not by SIGKILL (kills so far {kills})"
        )
        kills["statement" if inside else "timer"] += 1
        if inside:
            assert note.exists(), "the writer was killed, yet not at its statement"
            in_transaction, where = note.read_text().split(" ", 1)
            points[where.replace(spec.schema, "s")] += 1
            transactions += int(in_transaction)
        done = read_acks(acks)
        checking = time.perf_counter()
        with spec.open() as store:
            stored_after.append(check_crash(store, SEED, done, keys_from=max(0, checked - 1)))
        checks += time.perf_counter() - checking
        checked = len(done)
    done = read_acks(acks)
    with spec.open() as store:
        histories = {cid: store.events(cid) for cid in store.ids()}
    # event for event what one uninterrupted writer stores (a fresh Desk after every kill)
    difference = first_difference(histories, reference_histories(SEED, stored_after[-1]))
    figures = (
        f"{spec.kind}: {sum(kills.values())} kills ({kills['statement']} at a seeded statement, "
        f"{kills['timer']} at a seeded moment), {len(done)} commands acknowledged, "
        f"{stored_after[-1]} stored, {time.perf_counter() - started:.1f} s "
        f"({checks:.1f} s of it checking); killed at "
        f"{', '.join(f'{w!r} {n}x' for w, n in points.most_common())}"
        + (f"; {transactions} inside a transaction" if spec.kind == "sqlite" else "")
    )
    print(f"\n  {figures}")
    assert difference is None, (
        f"{figures}: the store differs from an uninterrupted run: {difference}"
    )
    # the kills fell while commands were being made, not only before the first one
    assert len(done) >= KILLS[spec.kind] // 2, figures
    assert len(set(stored_after)) > len(stored_after) // 4, figures
    if spec.kind == "sqlite":  # the seeded statement kills are the same every run
        assert transactions >= 3, (
            f"{figures}: too few kills inside a transaction; change STATEMENTS"
        )
