"""Tests of ccms.policy.routing: pinned examples on a small organization, and properties.

The small organization (hand-checked):

====  ==========  ===========  ========  =========  =======  ==========================
id    department  role         capacity  languages  skills   authority
====  ==========  ===========  ========  =========  =======  ==========================
choi  cs          handler      4         ko                  default; inactive
kim   cs          front_line   5         ko                  refund up to 50,000 KRW
lee   cs          handler      4         ko, en     billing  refund/exchange to 300,000
park  cs          supervisor   2         ko, en              every remedy to 1,000,000
jung  production  handler      3         ko                  default
====  ==========  ===========  ========  =========  =======  ==========================

Default load: kim 2 (2/5 = 0.4), lee 2 (2/4 = 0.5), park 2 (at capacity).
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import NaiveDatetimeError, PolicyError
from ccms.model import (
    Agent,
    Authority,
    Channel,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    Flag,
    Money,
    Organization,
    RemedyKind,
    Role,
    Severity,
    Taxonomy,
)
from ccms.policy import PolicyContext, default_registry
from ccms.policy.routing import (
    Candidate,
    DepartmentDecision,
    DepartmentRouter,
    HandlerDecision,
    HandlerRouter,
    RoutingVerdict,
    authority_fit,
    backlog_order,
    by_channel,
    by_code_table,
    by_segment,
    by_taxonomy_defaults,
    fallthrough,
    fixed,
    language_match,
    least_loaded,
    offer_backlog,
    round_robin,
    skills_match,
    sticky,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KRW = "KRW"


def money(amount: str) -> Money:
    return Money(amount=amount, currency=KRW)


ORG = Organization(
    departments=(
        Department(id="cs", name="Customer service"),
        Department(id="production", name="Production"),
        Department(id="finance", name="Finance"),
        Department(id="empty", name="Nobody here"),
    ),
    agents=(
        Agent(id="choi", name="Choi", department="cs", capacity=4, active=False),
        Agent(
            id="kim",
            name="Kim",
            department="cs",
            role=Role.FRONT_LINE,
            capacity=5,
            authority=Authority(
                remedies=frozenset({RemedyKind.APOLOGY, RemedyKind.REFUND}),
                max_amount=money("50000"),
            ),
        ),
        Agent(
            id="lee",
            name="Lee",
            department="cs",
            role=Role.HANDLER,
            capacity=4,
            languages=frozenset({"ko", "en"}),
            skills=frozenset({"billing"}),
            authority=Authority(
                remedies=frozenset({RemedyKind.REFUND, RemedyKind.EXCHANGE}),
                max_amount=money("300000"),
            ),
        ),
        Agent(
            id="park",
            name="Park",
            department="cs",
            role=Role.SUPERVISOR,
            capacity=2,
            languages=frozenset({"ko", "en"}),
            authority=Authority(remedies=frozenset(RemedyKind), max_amount=money("1000000")),
        ),
        Agent(id="jung", name="Jung", department="production", capacity=3),
    ),
)
LOAD = {"kim": 2, "lee": 2, "park": 2}


def complaint(
    cid: str = "c1",
    *,
    department: str | None = "cs",
    code: str | None = "PRD.DEF",
    language: str = "ko",
    segment: str = "general",
    channel: Channel = Channel.WEB,
    remedy: RemedyKind | None = None,
    severity: Severity = Severity.MEDIUM,
    received_at: datetime = T0,
    **update: Any,
) -> Complaint:
    return Complaint(
        id=cid,
        version=3,
        received_at=received_at,
        updated_at=received_at,
        channel=channel,
        customer=CustomerRef(id="C-1", language=language, segment=segment),
        concerns=(
            Concern(
                kind="complaint", code=code, text="x", severity=severity, requested_remedy=remedy
            ),
        ),
        stage="department_assigned",
        department=department,
        **update,
    )


def context(
    c: Complaint | None = None,
    *,
    load: Mapping[str, int] = LOAD,
    org: Organization = ORG,
    **extra: Any,
) -> PolicyContext:
    return PolicyContext(
        complaint=c or complaint(), now=T0, organization=org, open_load=load, extra=extra
    )


# --------------------------------------------------------------------------- departments


def test_code_table_longest_prefix_wins_and_explains() -> None:
    router = by_code_table({"PRD": "production", "PRD.DEF": "finance", "PAY": "finance"})
    d = router.decide(context(complaint(code="PRD.DEF.HANDLE")))
    assert d == DepartmentDecision("finance", "by_code_table: PRD.DEF -> finance")
    assert d.explain() == "department finance (by_code_table: PRD.DEF -> finance)"
    d = router.decide(context(complaint(code="PRD.PKG")))
    assert d is not None
    assert d.rule == "by_code_table: PRD -> production"


def test_code_table_abstains_without_a_match_or_a_code() -> None:
    router = by_code_table({"PRD.DEF": "production"})
    assert router.decide(context(complaint(code="PRD.DEFX"))) is None
    assert router.decide(context(complaint(code="SVC"))) is None
    assert router.decide(context(complaint(code=None))) is None


def test_primary_code_is_the_most_severe_concern() -> None:
    c = complaint(code="SVC").model_copy(
        update={
            "concerns": (
                Concern(kind="complaint", code="SVC", text="rude", severity=Severity.LOW),
                Concern(kind="complaint", code="PAY.REFUND", text="late", severity=Severity.HIGH),
            )
        }
    )
    d = by_code_table({"SVC": "cs", "PAY": "finance"}).decide(context(c))
    assert d == DepartmentDecision("finance", "by_code_table: PAY -> finance")


def test_department_chain_falls_back_in_order() -> None:
    chain = (
        by_code_table({"PAY": "finance"})
        | by_channel({"press": "production"})
        | by_segment({"vip": "production"})
        | fixed("cs")
    )
    assert len(chain.policies) == 4

    def rule(c: Complaint) -> str:
        d = chain.decide(context(c))
        assert d is not None
        return d.rule

    assert (
        rule(complaint(code="PAY.LATE", channel=Channel.PRESS)) == "by_code_table: PAY -> finance"
    )
    assert rule(complaint(channel=Channel.PRESS)) == "by_channel: press -> production"
    assert rule(complaint(segment="vip")) == "by_segment: vip -> production"
    assert rule(complaint()) == "fixed: cs"


def test_taxonomy_defaults_as_of_the_day_received() -> None:
    from datetime import date

    t = Taxonomy().add("PRD", "Product", effective=date(2025, 1, 1))
    t = t.add(
        "PRD.DEF", "Defect", effective=date(2025, 1, 1), defaults={"department": "production"}
    )
    t = t.add("PRD.DEF.HANDLE", "Handle", effective=date(2025, 1, 1))
    t = t.retire("PRD.DEF.HANDLE", effective=date(2026, 3, 3))
    router = by_taxonomy_defaults()
    ctx = context(complaint(code="PRD.DEF.HANDLE")).evolve(taxonomy=t)
    assert router.decide(ctx) == DepartmentDecision(
        "production", "by_taxonomy_defaults: PRD.DEF.HANDLE (as of 2026-03-02) -> production"
    )
    late = complaint(code="PRD.DEF.HANDLE", received_at=T0 + timedelta(days=1))
    assert router.decide(ctx.evolve(complaint=late)) is None  # retired by then
    assert router.decide(ctx.evolve(complaint=complaint(code="PRD"))) is None  # no default
    assert router.decide(context(complaint(code="PRD.DEF"))) is None  # no taxonomy


def test_unknown_department_is_a_loud_error() -> None:
    with pytest.raises(PolicyError, match=r"fixed: qa.*known departments: cs, empty, finance"):
        fixed("qa").decide(context())


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: by_code_table({"prd": "x"}), "not a VOC code"),
        (lambda: by_code_table({}), "non-empty mapping"),
        (lambda: by_channel({"pigeon": "x"}), "allowed: visit, phone"),
        (lambda: by_segment({"vip": ""}), "non-empty string"),
        (lambda: fixed(""), "non-empty string"),
        (lambda: least_loaded(filters=[3]), r"3 \(int\) is not a filter"),  # type: ignore[list-item]
        (lambda: least_loaded(pool="kim"), "list of agent ids"),
        (lambda: skills_match(required=[1]), "list of skill names"),  # type: ignore[list-item]
    ],
)
def test_bad_arguments_say_what_is_allowed(build: Any, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        build()


def test_wrong_kind_operand_is_rejected() -> None:
    with pytest.raises(PolicyError, match=r"department_router policy .* handler_router policy"):
        by_code_table({"PAY": "finance"}) | least_loaded()  # type: ignore[operator]
    with pytest.raises(PolicyError, match=r"handler_router policy .* department_router policy"):
        sticky() | fixed("cs")  # type: ignore[operator]


def _conformance_problems(
    router: object, decision_type: type, contexts: list[PolicyContext]
) -> list[str]:
    """Why ``router`` is not a router of its kind: ``decide`` must take exactly ``ctx`` and return
    ``None`` or a ``decision_type`` for every context (a runtime-checkable Protocol only checks
    that a ``decide`` attribute exists), and must decide at least once on these contexts."""
    problems = []
    decide = getattr(router, "decide", None)
    if decide is None or list(inspect.signature(decide).parameters) != ["ctx"]:
        return [f"{router!r}: decide does not take exactly (ctx)"]
    decisions = [decide(ctx) for ctx in contexts]
    problems += [
        f"{router!r} returned {d!r}"
        for d in decisions
        if d is not None and not isinstance(d, decision_type)
    ]
    if all(d is None for d in decisions):
        problems.append(f"{router!r} never decided")
    return problems


def test_builtins_satisfy_the_protocols() -> None:
    contexts = [
        context(complaint(cid, code=code, department=department, handler=handler))
        for cid, code, department, handler in [
            ("c1", "PRD.DEF", "cs", None),
            ("c2", "PAY.REFUND", "cs", "kim"),
            ("c3", None, "production", None),
        ]
    ]
    departments = [
        fixed("cs"),
        by_code_table({"PRD": "production"}),
        by_channel({"web": "cs"}),
        by_code_table({"PAY": "finance"}) | fixed("cs"),
    ]
    handlers = [least_loaded(), round_robin(), sticky() | least_loaded()]
    for router in departments:
        assert isinstance(router, DepartmentRouter)
        assert _conformance_problems(router, DepartmentDecision, contexts) == []
    for router in handlers:
        assert isinstance(router, HandlerRouter)
        assert _conformance_problems(router, HandlerDecision, contexts) == []


def test_the_protocol_check_can_fail() -> None:
    class Impostor:
        def decide(self, ctx: PolicyContext) -> str:
            return "cs"

    class Abstainer:
        def decide(self, ctx: PolicyContext) -> None:
            return None

    class TwoArguments:
        def decide(self, ctx: PolicyContext, now: datetime) -> None:
            return None

    contexts = [context()]
    # isinstance() passes for all three: the runtime-checkable Protocol sees only "decide".
    assert all(isinstance(r, DepartmentRouter) for r in (Impostor(), Abstainer(), TwoArguments()))
    (impostor,) = _conformance_problems(Impostor(), DepartmentDecision, contexts)
    assert impostor.endswith("returned 'cs'")
    (abstainer,) = _conformance_problems(Abstainer(), DepartmentDecision, contexts)
    assert abstainer.endswith("never decided")
    (two,) = _conformance_problems(TwoArguments(), DepartmentDecision, contexts)
    assert two.endswith("decide does not take exactly (ctx)")


# --------------------------------------------------------------------------- handlers


def test_least_loaded_pins_choice_and_explanation() -> None:
    d = least_loaded().decide(context())
    assert d.handler == "kim"
    assert d.considered == (
        Candidate("choi", RoutingVerdict.INACTIVE),
        Candidate("kim", RoutingVerdict.CHOSEN, "load 2/5"),
        Candidate("lee", RoutingVerdict.HIGHER_LOAD, "load 2/4"),
        Candidate("park", RoutingVerdict.AT_CAPACITY, "load 2/2"),
    )
    assert d.explain() == (
        "handler kim (least_loaded: kim (load 2/5))\n"
        "  choi: inactive\n"
        "  kim: chosen (load 2/5)\n"
        "  lee: higher load (load 2/4)\n"
        "  park: at capacity (load 2/2)"
    )


def test_least_loaded_ties_on_ratio_go_to_lower_load_then_id() -> None:
    # kim 2/5 = 0.4, lee 0/4 = 0: lee; with kim 0/5 and lee 0/4: equal ratio and load, id wins.
    assert least_loaded().decide(context(load={"kim": 2, "lee": 0})).handler == "lee"
    d = least_loaded().decide(context(load={}))
    assert d.handler == "kim"
    assert Candidate("lee", RoutingVerdict.TIE_BROKEN_BY_ID, "load 0/4") in d.considered
    assert Candidate("park", RoutingVerdict.TIE_BROKEN_BY_ID, "load 0/2") in d.considered


def test_round_robin_follows_the_counter_in_id_order() -> None:
    # viable: kim, lee (park at capacity, choi inactive)
    chosen = [round_robin().decide(context(assignment_counter=n)).handler for n in range(4)]
    assert chosen == ["kim", "lee", "kim", "lee"]
    d = round_robin().decide(context(assignment_counter=1))
    assert d.rule == "round_robin: lee (turn 2 of 2; load 2/4)"
    assert Candidate("kim", RoutingVerdict.LATER_IN_ROTATION, "load 2/5") in d.considered


def test_round_robin_without_counter_hashes_the_complaint_id_stably() -> None:
    picks = {round_robin().decide(context(complaint(f"c{i}"))).handler for i in range(40)}
    assert picks == {"kim", "lee"}
    assert round_robin().decide(context(complaint("c7"))) == round_robin().decide(
        context(complaint("c7"))
    )
    with pytest.raises(PolicyError, match="non-negative int, got -1"):
        round_robin().decide(context(assignment_counter=-1))


def test_language_match() -> None:
    d = language_match().decide(context(complaint(language="en")))
    assert d.handler == "lee"
    assert (
        Candidate("kim", RoutingVerdict.LACKS_LANGUAGE, "speaks ko; customer speaks en")
        in d.considered
    )
    assert d.rule == "language_match: lee (load 2/4)"


def test_skills_match_from_code_table_and_extra() -> None:
    router = skills_match({"PAY": ["billing"], "PAY.FRAUD": ["fraud"]})
    d = router.decide(context(complaint(code="PAY.REFUND")))
    assert d.handler == "lee"
    assert Candidate("kim", RoutingVerdict.LACKS_SKILL, "lacks billing") in d.considered
    # the longest prefix: PAY.FRAUD needs fraud only, which nobody has
    d = router.decide(context(complaint(code="PAY.FRAUD.CARD")))
    assert d.handler is None
    assert d.reasons == (
        "choi: inactive",
        "kim: lacks skill (lacks fraud)",
        "lee: lacks skill (lacks fraud)",
        "park: at capacity (load 2/2)",
    )
    # no skill required: everyone viable is kept
    assert router.decide(context(complaint(code="SVC"))).handler == "kim"
    assert router.decide(context(complaint(code="SVC"), required_skills="billing")).handler == "lee"


def test_authority_fit_picks_the_lowest_role_that_can() -> None:
    load = {"kim": 0, "lee": 3, "park": 0}
    # refund of 80,000: kim's limit is 50,000; lee (handler) ranks before park (supervisor)
    ctx = context(complaint(remedy=RemedyKind.REFUND), load=load, expected_amount="80000")
    d = authority_fit().decide(ctx)
    assert d.handler == "lee"
    assert d.considered == (
        Candidate("choi", RoutingVerdict.INACTIVE),
        Candidate(
            "kim",
            RoutingVerdict.LACKS_AUTHORITY,
            "amount 80000 KRW exceeds the authority limit 50000 KRW",
        ),
        Candidate("lee", RoutingVerdict.CHOSEN, "handler; load 3/4"),
        Candidate("park", RoutingVerdict.HIGHER_ROLE, "supervisor; load 0/2"),
    )
    # 40,000: kim (front line) can, and is the lowest role
    assert authority_fit().decide(ctx.evolve(extra={"expected_amount": 40000})).handler == "kim"
    # compensation: only park may grant it
    c = complaint(remedy=RemedyKind.COMPENSATION)
    assert authority_fit().decide(context(c, load=load)).handler == "park"
    # as a filter, least_loaded ranks by load instead: park 0/2 beats lee 3/4
    assert least_loaded(filters=[authority_fit()]).decide(ctx).handler == "park"


def test_authority_fit_uses_the_registered_result() -> None:
    from ccms.model import Result

    c = complaint(result=Result(remedy=RemedyKind.REFUND, amount=money("200000")))
    d = authority_fit().decide(context(c, load={}))
    assert d.handler == "lee"
    with pytest.raises(PolicyError, match="expected_amount"):
        authority_fit().decide(context(c, expected_amount=1.5))


def test_filters_compose_with_a_selector() -> None:
    router = least_loaded(filters=[language_match(), authority_fit()])
    assert repr(router) == "least_loaded(filters=[language_match(), authority_fit()])"
    ctx = context(complaint(language="en", remedy=RemedyKind.EXCHANGE), load={"lee": 3, "park": 1})
    d = router.decide(ctx)
    # kim lacks en (checked first); lee 3/4 = 0.75 vs park 1/2 = 0.5
    assert d.handler == "park"
    assert d.rule == "least_loaded[language_match, authority_fit]: park (load 1/2)"
    assert (
        Candidate("kim", RoutingVerdict.LACKS_LANGUAGE, "speaks ko; customer speaks en")
        in d.considered
    )
    assert Candidate("lee", RoutingVerdict.HIGHER_LOAD, "load 3/4") in d.considered


def test_pool_replaces_the_department() -> None:
    d = least_loaded(pool=["jung", "kim", "ghost"]).decide(context(complaint(department=None)))
    assert d.handler == "jung"
    assert Candidate("ghost", RoutingVerdict.UNKNOWN) in d.considered


@pytest.mark.parametrize(
    ("department", "reason"),
    [
        (None, "the complaint has no department yet; assign one first"),
        ("empty", "department 'empty' has no agents"),
        ("qa", "department 'qa' is not in the organization"),
    ],
)
def test_no_handler_says_why(department: str | None, reason: str) -> None:
    d = least_loaded().decide(context(complaint(department=department)))
    assert d == HandlerDecision(None, "least_loaded", (), (reason,))
    assert d.explain() == f"no handler (least_loaded)\n  {reason}"


def test_sticky_returns_the_previous_handler_or_abstains() -> None:
    reopened = complaint(reopen_count=1, handler="lee")
    d = sticky().decide(context(reopened))
    assert d is not None
    assert d.handler == "lee"
    assert d.rule == "sticky: reopened -> previous handler lee (load 2/4)"
    assert sticky().decide(context(complaint(handler="lee"))) is None  # not reopened
    assert sticky().decide(context(reopened, load={"lee": 4})) is None  # at capacity
    repeat = complaint(flags=frozenset({Flag.REPEAT}))
    assert sticky().decide(context(repeat)) is None  # nobody to stick to
    d = sticky().decide(context(repeat, previous_handler="kim"))
    assert d is not None
    assert d.rule == "sticky: previous_handler given -> previous handler kim (load 2/5)"
    assert sticky().decide(context(repeat, previous_handler="jung")) is None  # other department
    assert sticky().decide(context(repeat, previous_handler="choi")) is None  # inactive
    chain = sticky() | least_loaded()
    assert chain.decide(context(reopened)) == sticky().decide(context(reopened))
    assert chain.decide(context(complaint())) == least_loaded().decide(context(complaint()))


def test_builtins_are_registered_by_name() -> None:
    assert set(default_registry.names("department_router")) >= {
        "by_code_table",
        "by_channel",
        "by_segment",
        "by_taxonomy_defaults",
        "fixed",
    }
    assert set(default_registry.names("handler_router")) >= {
        "round_robin",
        "least_loaded",
        "skills_match",
        "language_match",
        "authority_fit",
        "sticky",
        "fallthrough",
    }
    built = default_registry.create("department_router", "by_code_table", table={"PAY": "x"})
    assert repr(built) == "by_code_table({'PAY': 'x'})"


def test_fallthrough_turns_no_handler_into_an_abstention() -> None:
    prefer = fallthrough(skills_match(required=["fraud"]))
    assert prefer.decide(context()) is None  # nobody has fraud
    chain = prefer | least_loaded()
    assert chain.decide(context()) == least_loaded().decide(context())
    billing = fallthrough(skills_match(required=["billing"]))
    assert billing.decide(context()) == skills_match(required=["billing"]).decide(context())
    with pytest.raises(PolicyError, match=r"fallthrough: 3 \(int\) is not a handler router"):
        fallthrough(3)


# --------------------------------------------------------------------------- backlog


def test_offer_backlog_orders_by_severity_then_age_then_id() -> None:
    kim = ORG.agent("kim")  # capacity 5, load 2: three free
    backlog = [
        complaint("a", severity=Severity.LOW, received_at=T0 - timedelta(days=9)),
        complaint("b", severity=Severity.HIGH, received_at=T0 - timedelta(hours=1)),
        complaint("c", severity=Severity.HIGH, received_at=T0 - timedelta(hours=5)),
        complaint("d", severity=Severity.MEDIUM, received_at=T0 - timedelta(hours=2)),
        complaint("e", severity=Severity.CRITICAL, received_at=T0 - timedelta(hours=1)),
        complaint("f", severity=Severity.CRITICAL, handler="lee"),  # assigned
        complaint("g", severity=Severity.CRITICAL, department="production"),
        complaint("h", severity=Severity.CRITICAL, closed_at=T0),  # closed
        complaint("i", severity=Severity.CRITICAL, received_at=T0 + timedelta(minutes=1)),
        complaint("b0", severity=Severity.HIGH, received_at=T0 - timedelta(hours=1)),
    ]
    offered = offer_backlog(backlog, kim, now=T0, open_load=LOAD)
    assert [c.id for c in offered] == ["e", "c", "b"]
    five = offer_backlog(backlog, kim, now=T0, open_load={}, limit=5)
    assert [c.id for c in five] == ["e", "c", "b", "b0", "d"]
    assert offer_backlog(backlog, kim, now=T0, open_load={}, limit=0) == []
    assert offer_backlog(backlog, ORG.agent("park"), now=T0, open_load=LOAD) == []  # full
    assert offer_backlog(backlog, ORG.agent("choi"), now=T0, open_load={}) == []  # inactive
    with pytest.raises(NaiveDatetimeError):
        offer_backlog(backlog, kim, now=datetime(2026, 3, 2), open_load={})


# --------------------------------------------------------------------------- properties

DEPTS = ("d1", "d2")
CODES = st.sampled_from(["PRD", "PRD.DEF", "PRD.DEF.X", "PAY", "PAY.REFUND", "SVC"])


@st.composite
def organizations(draw: st.DrawFn) -> Organization:
    ids = draw(st.lists(st.sampled_from("abcdefg"), unique=True, max_size=6))
    agents = [
        Agent(
            id=i,
            name=i.upper(),
            department=draw(st.sampled_from(DEPTS)),
            role=draw(st.sampled_from([Role.FRONT_LINE, Role.HANDLER, Role.SUPERVISOR])),
            capacity=draw(st.integers(0, 3)),
            active=draw(st.booleans()),
            languages=draw(st.frozensets(st.sampled_from(["ko", "en"]), min_size=1)),
            skills=draw(st.frozensets(st.sampled_from(["s1", "s2"]))),
            authority=Authority(
                remedies=draw(st.frozensets(st.sampled_from(list(RemedyKind)))),
                max_amount=draw(st.none() | st.sampled_from(["0", "10000", "100000"]).map(money)),
            ),
        )
        for i in ids
    ]
    return Organization(
        departments=tuple(Department(id=d, name=d) for d in DEPTS), agents=tuple(agents)
    )


@st.composite
def contexts(draw: st.DrawFn) -> PolicyContext:
    org = draw(organizations())
    load = {a.id: draw(st.integers(0, 4)) for a in org.agents}
    c = complaint(
        draw(st.sampled_from(["c1", "c2", "c3"])),
        department=draw(st.sampled_from([*DEPTS, None])),
        code=draw(CODES),
        language=draw(st.sampled_from(["ko", "en"])),
        remedy=draw(st.none() | st.sampled_from(list(RemedyKind))),
        reopen_count=draw(st.integers(0, 1)),
        handler=draw(st.none() | st.sampled_from([a.id for a in org.agents] or ["x"])),
    )
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra["assignment_counter"] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        extra["expected_amount"] = draw(st.sampled_from(["0", "5000", "50000", "500000"]))
    return PolicyContext(complaint=c, now=T0, organization=org, open_load=load, extra=extra)


SELECTORS = [
    least_loaded(),
    round_robin(),
    language_match(),
    skills_match({"PRD": ["s1"], "PAY.REFUND": ["s2"]}),
    authority_fit(),
    least_loaded(filters=[language_match(), authority_fit()]),
    round_robin(filters=[skills_match(required=["s1"]), language_match()]),
]


def _has_authority(agent: Agent, ctx: PolicyContext) -> bool:
    remedies, amount = authority_fit().likely_remedy(ctx)
    return all(
        agent.authority.allows(
            r,
            amount
            if r
            in {RemedyKind.REFUND, RemedyKind.EXCHANGE, RemedyKind.REPAIR, RemedyKind.COMPENSATION}
            else None,
        )
        for r in remedies
    )


@given(ctx=contexts(), router=st.sampled_from(SELECTORS))
def test_conformance_a_real_able_handler_or_a_reason_per_candidate(
    ctx: PolicyContext, router: Any
) -> None:
    d = router.decide(ctx)
    assert d == router.decide(ctx)  # deterministic
    department = ctx.complaint.department
    members = (
        [a.id for a in ctx.organization.members(department, active_only=False)]
        if department
        else []
    )
    if d.handler is not None:
        agent = ctx.organization.agent(d.handler)
        assert agent.active
        assert agent.department == department
        assert ctx.open_load.get(agent.id, 0) < agent.capacity
        names = {router.name} | {f.name for f in router.filters}
        if "authority_fit" in names:
            assert _has_authority(agent, ctx)
        if "language_match" in names:
            assert ctx.complaint.customer.language in agent.languages
        assert [c.agent_id for c in d.considered] == members
        assert [c.agent_id for c in d.considered if c.verdict is RoutingVerdict.CHOSEN] == [
            d.handler
        ]
        assert d.reasons == ()
    else:
        assert d.reasons
        if members:
            assert all(c.verdict.excluded for c in d.considered)
            assert len(d.reasons) == len(members)


@given(ctx=contexts())
def test_least_loaded_matches_a_brute_force_reference(ctx: PolicyContext) -> None:
    department = ctx.complaint.department
    able = [
        a
        for a in ctx.organization.agents
        if a.department == department and a.active and ctx.open_load.get(a.id, 0) < a.capacity
    ]
    expected = min(
        able,
        key=lambda a: (
            Fraction(ctx.open_load.get(a.id, 0), a.capacity),
            ctx.open_load.get(a.id, 0),
            a.id,
        ),
        default=None,
    )
    assert least_loaded().decide(ctx).handler == (expected.id if expected else None)


@given(ctx=contexts(), b=st.sampled_from(SELECTORS))
def test_or_is_first_decision_else_second(ctx: PolicyContext, b: Any) -> None:
    a = sticky()
    first = a.decide(ctx)
    assert (a | b).decide(ctx) == (first if first is not None else b.decide(ctx))
    if first is not None:
        assert first.handler is not None
        agent = ctx.organization.agent(first.handler)
        assert agent.active
        assert ctx.open_load.get(agent.id, 0) < agent.capacity


SEGMENTS = st.sampled_from(["A", "B", "AB", "C1"])
DOTTED = st.lists(SEGMENTS, min_size=1, max_size=4).map(".".join)


@given(
    table=st.dictionaries(DOTTED, st.sampled_from(["cs", "finance", "production"]), min_size=1),
    code=DOTTED,
)
def test_longest_prefix_matches_brute_force(table: dict[str, str], code: str) -> None:
    matches = [k for k in table if code == k or code.startswith(k + ".")]
    best = max(matches, key=lambda k: k.count("."), default=None)
    d = by_code_table(table).decide(context(complaint(code=code)))
    if best is None:
        assert d is None
    else:
        assert d == DepartmentDecision(table[best], f"by_code_table: {best} -> {table[best]}")


@given(
    table=st.dictionaries(DOTTED, st.sampled_from(["cs", "finance"]), min_size=1),
    code=DOTTED,
    channel=st.sampled_from(list(Channel)),
)
def test_department_or_is_first_decision_else_second(
    table: dict[str, str], code: str, channel: Channel
) -> None:
    a, b = by_code_table(table), by_channel({"press": "production", "web": "cs"})
    ctx = context(complaint(code=code, channel=channel))
    first = a.decide(ctx)
    assert (a | b).decide(ctx) == (first if first is not None else b.decide(ctx))


@given(
    severities=st.lists(st.sampled_from(list(Severity)), max_size=12),
    hours=st.lists(st.integers(0, 48), min_size=12, max_size=12),
    load=st.integers(0, 6),
    limit=st.none() | st.integers(0, 8),
)
def test_offer_backlog_is_the_head_of_the_documented_order(
    severities: list[Severity], hours: list[int], load: int, limit: int | None
) -> None:
    backlog = [
        complaint(f"c{i:02}", severity=s, received_at=T0 - timedelta(hours=h))
        for i, (s, h) in enumerate(zip(severities, hours, strict=False))
    ]
    kim = ORG.agent("kim")
    offered = offer_backlog(backlog, kim, now=T0, open_load={"kim": load}, limit=limit)
    free = max(kim.capacity - load, 0) if limit is None else min(max(kim.capacity - load, 0), limit)
    assert offered == sorted(backlog, key=backlog_order)[:free]
    assert all(
        (-a.severity.rank, a.received_at, a.id) <= (-b.severity.rank, b.received_at, b.id)
        for a, b in itertools.pairwise(offered)
    )
