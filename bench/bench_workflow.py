"""Workflow fire throughput against a dict floor and against naive uses of `transitions`.

Measured in one run, on the default VOC workflow, cycling through a valid loop of triggers:

- floor: a plain dict ``(stage, trigger) -> stage`` with a guard function call;
- ccms decide: ``Workflow.decide`` (table lookup, roles, guards), the decision path;
- ccms fire: ``Workflow.fire`` (decision + a new immutable Complaint version + its events);
- shared machine: a bare trigger on one shared ``transitions.Machine`` (no copy, no record);
- machine per complaint: a new ``transitions.Machine`` built for each complaint, the naive use.

Also: cost of firing as more complaints are loaded (ccms builds nothing per complaint) against
``add_model`` on a shared machine as more models are registered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from transitions import Machine

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


def _rate(fn: Callable[[int], None], n: int) -> float:
    fn(min(n, 1_000))  # warm up
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        fn(n)
        best = max(best, n / (time.perf_counter() - start))
    return best


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
    for cmd in (Classify(codes=("PRD.DEF",)), AssignDepartment(department="qa"), AssignHandler(handler="kim")):
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

    def per_complaint(n: int) -> None:
        for _i in range(n):
            m = Model()
            Machine(model=m, initial="handler_assigned", **spec)
            m.start()  # type: ignore[attr-defined]

    n = 100_000
    rates = {
        "floor (dict + guard)": _rate(floor, n),
        "ccms decide": _rate(ccms_decide, n),
        "ccms fire (new version + events)": _rate(ccms_fire, n // 5),
        "transitions, shared machine, bare trigger": _rate(shared, n // 2),
        "transitions, machine per complaint": _rate(per_complaint, 2_000),
    }
    floor_rate = rates["floor (dict + guard)"]
    print(f"{'path':45s} {'fires/s':>12s} {'x slower than floor':>20s}")
    for name, rate in rates.items():
        print(f"{name:45s} {rate:12,.0f} {floor_rate / rate:20.1f}")
    shared_rate = rates["transitions, shared machine, bare trigger"]
    print()
    print(f"decision path vs floor: {floor_rate / rates['ccms decide']:.1f}x (target <= 5x)")
    print(
        f"full fire vs bare shared trigger: {rates['ccms fire (new version + events)'] / shared_rate:.2f}x "
        "as fast (target > 1)"
    )
    print(f"full fire vs machine per complaint: {rates['ccms fire (new version + events)'] / rates['transitions, machine per complaint']:.0f}x as fast")

    # Flat in the number of complaints loaded: ccms builds nothing per complaint.
    print()
    print(f"{'complaints loaded':>18s} {'ccms fire/s':>12s} {'add_model/s (shared)':>22s}")
    machine = Machine(model=None, initial="handler_assigned", **spec)
    loaded = []
    for size in (1_000, 10_000, 100_000):
        while len(loaded) < size:
            loaded.append(start_state.model_copy(update={"id": f"c{len(loaded)}"}))
        probe = loaded[-1]
        rate = _rate(lambda k, probe=probe: [wf.fire(probe, LOOP[0], actor=SYSTEM, at=T0) for _ in range(k)] and None, 5_000)
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
