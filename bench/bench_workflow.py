"""Workflow fire throughput against a dict floor and against naive uses of `transitions`.

Measured in one run, on the default VOC workflow, every contender firing the same valid loop of
7 triggers (70,000 fires a round; a tenth of that for the slow machine-per-complaint use, compared
per fire), the contenders interleaved round by round (the order rotates), each figure a median with
its min and max, each ratio the median of the ratios of the same round, and each target printed
MET or MISSED from these figures:

- floor: a plain dict ``(stage, trigger) -> stage`` with a guard function call;
- ccms decide: ``Workflow.decide`` (table lookup, roles, guards), the decision path;
- ccms fire: ``Workflow.fire`` (decision + a new immutable Complaint version + its events);
- shared machine: a bare trigger on one shared ``transitions.Machine`` (no copy, no record);
- machine per complaint: a new ``transitions.Machine`` built for each complaint, the naive use.

Also: cost of firing as more complaints are loaded (ccms builds nothing per complaint) against
``add_model`` on a shared machine as more models are registered.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime

from transitions import Machine

from _figures import figure, interleaved, target
from ccms.model import Actor, Concern, CustomerRef, Result
from ccms.workflow import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Notify,
    Receive,
    RecordFeedback,
    RegisterResult,
    Reopen,
    Resume,
    Start,
    WaitOnCustomer,
    default_workflow,
)

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
SYSTEM = Actor.system()
LOOP = [
    Start(),
    WaitOnCustomer(reason="photos"),
    Resume(),
    RegisterResult(result=Result(remedy="apology")),
    Notify(channel="sms"),
    RecordFeedback(feedback={"satisfied": False, "csat": 2}),
    Reopen(reason="unhappy"),
]


def main() -> None:
    wf = default_workflow()
    fired = wf.receive(
        Receive(
            channel="phone",
            customer=CustomerRef(id="C-1"),
            concerns=(Concern(kind="complaint", text="broken"),),
            received_at=T0,
        ),
        complaint_id="c1",
        actor=SYSTEM,
        at=T0,
    )
    c = fired.complaint
    for cmd in (
        Classify(codes=("PRD.DEF",)),
        AssignDepartment(department="qa"),
        AssignHandler(handler="kim"),
    ):
        c = wf.fire(c, cmd, actor=SYSTEM, at=T0).complaint
    start_state = c
    triggers = [cmd.trigger_name for cmd in LOOP]

    # The floor: a dict table and a guard function.
    table = {key: rows[0].dest or key[0] for key, rows in wf.table.items()}

    def guard(_: object) -> bool:
        return True

    def floor(n: int) -> None:
        state = start_state.stage
        for i in range(n):
            trigger = triggers[i % len(triggers)]
            dest = table[(state, trigger)]
            if guard(state):
                state = dest

    def ccms_decide(n: int) -> None:
        complaint = start_state
        stages = []
        for cmd in LOOP:
            stages.append(complaint)
            complaint = wf.fire(complaint, cmd, actor=SYSTEM, at=T0).complaint
        for i in range(n):
            k = i % len(LOOP)
            wf.decide(stages[k], LOOP[k], actor=SYSTEM, at=T0)

    def ccms_fire(n: int) -> None:
        complaint = start_state
        at = T0
        for i in range(n):
            complaint = wf.fire(complaint, LOOP[i % len(LOOP)], actor=SYSTEM, at=at).complaint

    d = wf.definition
    spec = {
        "states": [s.name for s in d.stages],
        "transitions": [
            {"trigger": t.trigger, "source": list(d.expand(t.source)), "dest": t.dest}
            for t in d.transitions
            if t.dest is not None
        ],
        "auto_transitions": False,
    }

    class Model:
        pass

    shared_model = Model()
    shared_machine = Machine(model=shared_model, initial="handler_assigned", **spec)

    def shared(n: int) -> None:
        shared_machine.set_state("handler_assigned", model=shared_model)
        for i in range(n):
            getattr(shared_model, triggers[i % len(triggers)])()

    # Every contender fires the same 7-trigger loop the same number of times; rounds are
    # interleaved (the order rotates), and each figure is a median with its min and max. A round
    # is 70,000 fires (the floor's takes ~15 ms, long against a busy machine's scheduling
    # hiccups), and the ratios are taken round by round (both sides timed in the same round)
    # before their median, so one slow round moves one ratio, not the figure.
    cycles = 10_000
    n = cycles * len(LOOP)
    rounds = 9

    def per_complaint_loop(k: int) -> None:
        for _ in range(k // len(triggers)):
            m = Model()
            Machine(model=m, initial="handler_assigned", **spec)
            for trigger in triggers:
                getattr(m, trigger)()

    contenders = {
        "floor (dict + guard)": (floor, n),
        "ccms decide": (ccms_decide, n),
        "ccms fire (new version + events)": (ccms_fire, n),
        "transitions, shared machine, bare trigger": (shared, n),
        # a Machine per complaint takes ~0.1 ms: a tenth of the fires, rates compare per fire
        "transitions, machine per complaint": (per_complaint_loop, n // 10),
    }
    timings = interleaved({name: (lambda fn=fn, k=k: fn(k)) for name, (fn, k) in contenders.items()},
                          rounds=rounds)  # fmt: skip
    work = {name: k for name, (_, k) in contenders.items()}
    rates = {name: t.rate(work[name])[0] for name, t in timings.items()}
    floor_rate = rates["floor (dict + guard)"]
    print(
        f"{n:,} fires of the {len(LOOP)}-trigger loop per contender and round ({n // 10:,} for a "
        f"machine per complaint), {rounds} interleaved rounds; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(
        f"{'path':45s} {'fires/s (median)':>17s} {'min .. max':>22s} {'x slower than floor':>20s}"
    )
    for name, t in timings.items():
        med, lo, hi = t.rate(work[name])
        print(f"{name:45s} {med:17,.0f} {lo:>10,.0f} .. {hi:<10,.0f} {floor_rate / med:20.1f}")
        figure(name, t.rate(work[name]), "fires/s",
               compares=f"{len(LOOP)}-trigger loop, {work[name]} fires a round")  # fmt: skip

    def per_round(slow: str, fast: str) -> list[float]:
        """time(slow) / time(fast) per fire, round by round, sorted."""
        a, b = timings[slow].seconds, timings[fast].seconds
        return sorted((x / work[slow]) / (y / work[fast]) for x, y in zip(a, b, strict=True))

    print()
    decide = per_round("ccms decide", "floor (dict + guard)")
    print(f"  ccms decide / floor, per round: median {statistics.median(decide):.2f}x "
          f"(min {decide[0]:.2f}, max {decide[-1]:.2f})")  # fmt: skip
    figure("decision path / floor", (statistics.median(decide), decide[0], decide[-1]), "x",
           compares="ccms decide time / dict+guard time, per round")  # fmt: skip
    target(
        "decision path vs floor (time ratio)",
        statistics.median(decide),
        "<=",
        5.0,
        compares="median over rounds of ccms decide time / dict+guard time (same round)",
    )
    fire = per_round(
        "transitions, shared machine, bare trigger", "ccms fire (new version + events)"
    )
    print(f"  ccms fire speed / shared machine, per round: median {statistics.median(fire):.2f}x "
          f"(min {fire[0]:.2f}, max {fire[-1]:.2f})")  # fmt: skip
    target(
        "full fire vs bare shared trigger (speed ratio)",
        statistics.median(fire),
        ">=",
        1.0,
        compares="median over rounds of transitions shared-machine time / ccms fire time",
    )
    fire_rate = rates["ccms fire (new version + events)"]
    print(
        f"full fire vs machine per complaint: "
        f"{fire_rate / rates['transitions, machine per complaint']:.0f}x as fast"
    )
    # The cost of firing as complaints are loaded follows.
    # Flat in the number of complaints loaded: ccms builds nothing per complaint.
    print()
    print(f"{'complaints loaded':>18s} {'ccms fire/s':>12s} {'add_model/s (shared)':>22s}")
    machine = Machine(model=None, initial="handler_assigned", **spec)
    loaded = []
    for size in (1_000, 10_000, 30_000):  # transitions.add_model slows as models grow
        while len(loaded) < size:
            loaded.append(start_state.model_copy(update={"id": f"c{len(loaded)}"}))
        probe = loaded[-1]
        t_fire = interleaved(
            {"fire": lambda probe=probe: [wf.fire(probe, LOOP[0], actor=SYSTEM, at=T0)
                                          for _ in range(5_000)]},
            rounds=3,
        )["fire"]  # fmt: skip
        rate = t_fire.rate(5_000)[0]
        t = time.perf_counter()
        batch = [Model() for _ in range(1_000)]
        for m in batch:
            machine.add_model(m)
        add_rate = 1_000 / (time.perf_counter() - t)
        for _ in range(size - len(machine.models)):
            machine.add_model(Model())
        print(f"{size:18,d} {rate:12,.0f} {add_rate:22,.0f}")


if __name__ == "__main__":
    main()
