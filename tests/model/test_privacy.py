"""Personal data is masked wherever it shows: detectors, masks, models' repr/str/dumps, errors."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from ccms.model import (
    CONTACT_ROLES,
    Actor,
    Channel,
    ComplaintReceived,
    Concern,
    Customer,
    CustomerView,
    EarlyWarningRaised,
    Feedback,
    FeedbackRecorded,
    Personal,
    PersonalKind,
    PersonalSpan,
    Result,
    ResultRegistered,
    Role,
    Transferred,
    event_from_json,
    find_personal,
    fold,
    mask,
    mask_text,
    sees_contact,
)
from ccms.model.types import masked_repr_value
from ccms.store import SQLiteStore

AT = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)
DIGITS = re.compile(r"[0-9]")

# -- generated personal data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pii:
    """A generated piece of personal data: how it is written and what must never show of it."""

    kind: PersonalKind
    written: str
    secret: str  # digits (or the local part) that no mask may keep
    kept_digits: str  # the digits a mask keeps (a phone's prefix), in order

    def leaked(self, shown: str) -> bool:
        """Whether ``shown`` holds the secret part, with whatever separators (or escapes)."""
        if self.kind is PersonalKind.EMAIL:
            return f"{self.secret}@" in shown
        return re.search(_LEAK_SEP.join(self.secret), shown) is not None


_LEAK_SEP = r"(?:[-. /\u2013\uff0d\u200b]|\\u200b|\\u2013|\\uff0d){0,5}"


_MOBILE_PREFIXES = ["010", "011", "016", "017", "018", "019"]
_AREAS = ["02", "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054"]
_AREAS += ["055", "061", "062", "063", "064", "070", "0502", "0505", "0508"]
_SEPS = ["", "-", " ", ".", " - ", "  ", "/", "\u2013", "\uff0d", "\u200b"]


def _digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))


@st.composite
def phones(draw: st.DrawFn) -> Pii:
    mobile = draw(st.booleans())
    prefix = draw(st.sampled_from(_MOBILE_PREFIXES if mobile else _AREAS))
    middle = draw(_digits(4, 4) if prefix == "010" else _digits(3, 4))
    last = draw(_digits(4, 4))
    sep1, sep2 = draw(st.sampled_from(_SEPS)), draw(st.sampled_from(_SEPS))
    style = draw(st.sampled_from(["plain", "parens", "half-parens", "+82", "+82(0)", "0082"]))
    if style == "plain":
        head, kept = prefix, prefix
    elif style == "parens":
        head, kept = f"({prefix}){draw(st.sampled_from(['', ' ']))}", prefix
        sep1 = ""
    elif style == "half-parens":
        head, kept = f"{prefix})", prefix
        sep1 = ""
    else:
        country = {"+82": "+82", "+82(0)": "+82 (0)", "0082": "0082"}[style]
        join = draw(st.sampled_from(["", " ", "-"]))
        head, kept = f"{country}{join}{prefix[1:]}", "82" + prefix[1:]
    if draw(st.booleans()) and style == "plain":  # fullwidth digits
        head = head.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})
    written = f"{head}{sep1}{middle}{sep2}{last}"
    return Pii(PersonalKind.PHONE, written, middle + last, kept)


@st.composite
def emails(draw: st.DrawFn) -> Pii:
    local = draw(st.from_regex(r"[a-z][a-z0-9._+-]{0,14}[a-z0-9]", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True))
    tld = draw(st.sampled_from(["com", "kr", "co.kr", "net", "org", "go.kr"]))
    kept = "".join(DIGITS.findall(domain))  # the domain is kept
    return Pii(PersonalKind.EMAIL, f"{local}@{domain}.{tld}", local, kept)


@st.composite
def rrns(draw: st.DrawFn) -> Pii:
    yy = draw(st.integers(0, 99))
    mm = draw(st.integers(1, 12))
    dd = draw(st.integers(1, 31))
    back = draw(st.sampled_from("12345678")) + draw(_digits(6, 6))
    sep = draw(st.sampled_from(["", "-", " ", " - "]))
    front = f"{yy:02d}{mm:02d}{dd:02d}"
    return Pii(PersonalKind.RRN, f"{front}{sep}{back}", front + back, "")


pii = st.one_of(phones(), emails(), rrns())

#: Words around personal data: Korean and English, no digits (so a leak cannot hide in them).
filler = st.text(
    "가나다라마바사아자차카타파하연락처주세요 abcdefxyzABC.,!?()\n", min_size=0, max_size=30
)
joiners = st.sampled_from([" ", ", ", ": ", " (", "\n", "는 ", "연락처 ", "Tel. ", "e-mail: "])

# -- ordinary numbers of complaint text ----------------------------------------------------------


@st.composite
def ordinary(draw: st.DrawFn) -> str:
    year = draw(st.integers(2000, 2099))
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    amount = draw(st.integers(1, 99_999_999))
    choices: list[Callable[[], str]] = [
        lambda: (
            f"{draw(st.sampled_from(['ORD', 'INV', 'AS', 'RMA']))}-{year}-"
            f"{draw(st.integers(0, 999_999)):06d}"
        ),
        lambda: f"ORD{year}{month:02d}{day:02d}{draw(st.integers(0, 9999)):04d}",
        lambda: f"{year}-{month:02d}-{day:02d}",
        lambda: f"{year}.{month:02d}.{day:02d}",
        lambda: f"{year}/{month:02d}/{day:02d}",
        lambda: f"{year}년 {month}월 {day}일",
        lambda: f"{year}{month:02d}{day:02d}",
        lambda: f"{draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}",
        lambda: f"{amount:,}원",
        lambda: f"₩{amount:,}",
        lambda: f"{amount}원",
        lambda: f"{draw(st.integers(1, 99))}개",
        lambda: f"{draw(st.integers(1, 99))}.{draw(st.integers(0, 9))}kg",
        lambda: f"{draw(st.integers(1, 100))}%",
        lambda: draw(st.sampled_from(["PRD.DEF.HANDLE", "SVC.DLY", "BIL.ERR.2", "VOC-A01-03"])),
        lambda: f"VOC-{year}-{draw(st.integers(0, 99999)):05d}",
        lambda: (
            f"{draw(st.sampled_from(['1588', '1577', '1644']))}-{draw(st.integers(0, 9999)):04d}"
        ),
        lambda: f"v{draw(st.integers(1, 9))}.{draw(st.integers(0, 20))}.{draw(st.integers(0, 9))}",
        lambda: f"제{draw(st.integers(1, 30))}조",
    ]
    return draw(st.sampled_from(choices))()


separators = st.sampled_from([" ", ", ", " / ", "\n", "에 ", ". ", " (", ") "])


# -- examples of each format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("01012345678", "010-****-****"),
        ("010-1234-5678", "010-****-****"),
        ("010 1234 5678", "010-****-****"),
        ("010.1234.5678", "010-****-****"),
        ("010 - 1234 - 5678", "010-****-****"),
        ("011-123-4567", "011-****-****"),
        ("0101234567", "010-****-****"),
        ("+82 10-1234-5678", "+82-10-****-****"),
        ("+821012345678", "+82-10-****-****"),
        ("+82-10-1234-5678", "+82-10-****-****"),
        ("+82 (0)10 1234 5678", "+82-10-****-****"),
        ("+82 010-1234-5678", "+82-10-****-****"),
        ("0082-10-1234-5678", "+82-10-****-****"),
        ("+82 2-123-4567", "+82-2-****-****"),
        ("02-123-4567", "02-****-****"),
        ("021234567", "02-****-****"),
        ("(02) 123-4567", "02-****-****"),
        ("02)123-4567", "02-****-****"),
        ("031-1234-5678", "031-****-****"),
        ("064 123 4567", "064-****-****"),
        ("070-1234-5678", "070-****-****"),
        ("0505-123-4567", "0505-****-****"),
        ("０１０－１２３４－５６７８", "010-****-****"),
        ("010\u20131234\u20135678", "010-****-****"),
        ("010\u200b1234\u200b5678", "010-****-****"),
        ("gildong@example.com", "***@example.com"),
        ("g.d+voc@mail.example.co.kr", "***@mail.example.co.kr"),
        ("GilDong_2@Example.COM", "***@Example.COM"),
        ("gildong＠example.com", "***@example.com"),
        ("900101-1234567", "******-*******"),
        ("9001011234567", "******-*******"),
        ("900101 1234567", "******-*******"),
        ("900101 - 1234567", "******-*******"),
        ("991231-2345678", "******-*******"),
        ("000229-3456789", "******-*******"),
        ("900101-5234567", "******-*******"),  # a foreigner registration number
        ("900101-1******", "******-*******"),  # half masked: still a birth date and sex
    ],
)
def test_each_format_is_masked(written: str, masked: str) -> None:
    assert mask_text(written) == masked
    assert mask_text(f"연락처: {written} 입니다") == f"연락처: {masked} 입니다"
    assert mask(written) == masked
    [span] = find_personal(f"xx {written}.")
    assert (span.start, span.end, span.masked) == (3, 3 + len(written), masked)


@pytest.mark.parametrize(
    "text",
    [
        "ORD-2026-000123",
        "ORD-2026-010123 2026-10-05",
        "₩3,016 20000101",
        "00:02 1588-0000",
        "ORD0212345678",
        "ORD2510051234567",
        "50,000원",
        "₩1,200,000",
        "1200000원",
        "2026-10-05",
        "2026.10.05 14:30",
        "20261005",
        "2026년 10월 5일",
        "PRD.DEF.HANDLE",
        "VOC-2026-00042",
        "1588-1234",
        "고객센터 1588-1234",
        "주문번호 202610050001",
        "3개 2.5kg 10%",
        "9013011234567",  # month 13: not a resident number
        "900132-1234567",  # day 32
        "900101-9234567",  # sex digit 9
        "05-123-4567",  # no such area code
        "080-123-4567",  # a company's free number
        "@handle",
        "a@b",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert find_personal(text) == []
    assert mask_text(text) == text


def test_codes_around_contact_details() -> None:
    assert mask_text("HP010-1234-5678") == "HP010-****-****"
    assert mask_text("HP01012345678") == "HP010-****-****"  # a mobile number glued to letters
    assert mask_text("Tel.02-123-4567") == "Tel.02-****-****"
    assert mask_text("010-1234-5678-9") == "010-****-****-9"
    assert mask_text("연락처01012345678로") == "연락처010-****-****로"
    assert mask_text("gildong@example.com입니다") == "***@example.com입니다"
    assert mask_text("a@b.kr, c@d.kr") == "***@b.kr, ***@d.kr"


def test_spans_say_the_kind_and_hold_no_clear_value() -> None:
    text = "전화 010-1234-5678 메일 a.b@example.kr 주민 900101-1234567"
    spans = find_personal(text)
    assert [s.kind for s in spans] == [PersonalKind.PHONE, PersonalKind.EMAIL, PersonalKind.RRN]
    assert [text[s.start : s.end] for s in spans] == [
        "010-1234-5678",
        "a.b@example.kr",
        "900101-1234567",
    ]
    shown = repr(spans)
    assert "1234" not in shown
    assert "a.b@" not in shown
    assert isinstance(spans[0], PersonalSpan)


@pytest.mark.parametrize(
    "text",
    ["a" * 20_000, "1" * 20_000, "a." * 10_000, "0-" * 10_000, "x@" + "a." * 9_000 + "1"],
    ids=["letters", "digits", "dots", "dashes", "long-domain"],
)
def test_masking_a_long_letter_takes_linear_time(text: str) -> None:
    started = time.perf_counter()
    mask_text(text)
    assert time.perf_counter() - started < 0.5  # quadratic searching took seconds


def test_masking_is_idempotent() -> None:
    text = "010-1234-5678, a@b.kr, 900101-1234567"
    once = mask_text(text)
    assert mask_text(once) == once


# -- properties ----------------------------------------------------------------------------------


@given(st.lists(st.tuples(filler, joiners, pii), min_size=1, max_size=4), filler, joiners)
@example([("", "", Pii(PersonalKind.PHONE, "01012345678", "12345678", "010"))], "", "")
def test_personal_data_in_any_text_is_always_masked(
    parts: list[tuple[str, str, Pii]], tail: str, tail_joiner: str
) -> None:
    text = "".join(f"{words}{joiner}{item.written}" for words, joiner, item in parts)
    text += f"{tail_joiner}{tail}"
    masked = mask_text(text)
    for _, _, item in parts:
        assert not item.leaked(masked), (item, masked)
    assert "".join(DIGITS.findall(masked)) == "".join(item.kept_digits for _, _, item in parts)
    kinds = [span.kind for span in find_personal(text)]
    assert kinds == [item.kind for _, _, item in parts]


@given(st.lists(st.tuples(ordinary(), separators), min_size=1, max_size=8), filler)
@example([("2000-01-01", " "), ("₩3,016", " "), ("20000101", " ")], "")
@example([("00:02", " "), ("1588-0000", " / ")], "")
def test_ordinary_numbers_in_any_text_are_left_alone(
    parts: list[tuple[str, str]], words: str
) -> None:
    text = words + "".join(token + sep for token, sep in parts)
    assert find_personal(text) == []
    assert mask_text(text) == text


@given(
    st.lists(st.one_of(ordinary(), pii), min_size=1, max_size=8),
    st.lists(separators, min_size=8, max_size=8),
)
def test_mixed_text_masks_the_personal_data_and_keeps_the_rest(
    tokens: list[str | Pii], seps: list[str]
) -> None:
    text = "".join(
        (t.written if isinstance(t, Pii) else t) + sep for t, sep in zip(tokens, seps, strict=False)
    )
    masked = mask_text(text)
    rest, without_ordinary = masked, masked
    for token in tokens:
        if not isinstance(token, Pii):
            assert token in rest, (token, masked)
            rest = rest[rest.index(token) + len(token) :]
            without_ordinary = without_ordinary.replace(token, "|", 1)
    for token in tokens:
        if isinstance(token, Pii):
            assert not token.leaked(without_ordinary), (token, masked)
    assert [s.kind for s in find_personal(text)] == [t.kind for t in tokens if isinstance(t, Pii)]


# -- customers -----------------------------------------------------------------------------------

names = st.text("김이박최정홍길동민수영희", min_size=2, max_size=12).filter(
    lambda s: len(set(s)) >= 2
)


def _shown(model: object) -> str:
    dump = getattr(model, "model_dump", None)
    dump_json = getattr(model, "model_dump_json", None)
    parts = [repr(model), str(model), f"{model}"]
    if dump is not None and dump_json is not None:
        parts += [repr(dump()), repr(dump(mode="json")), dump_json(), dump_json(round_trip=True)]
    return "\n".join(parts)


@given(phones(), emails(), names)
@example(
    Pii(PersonalKind.PHONE, "01012345678", "12345678", "010"),
    Pii(PersonalKind.EMAIL, "gildong@example.com", "gildong", ""),
    "홍길동",
)
def test_a_customer_never_shows_contact_details(phone: Pii, email: Pii, name: str) -> None:
    customer = Customer(id="C-A", name=name, phone=phone.written, email=email.written)
    shown = _shown(customer)
    assert not phone.leaked(shown)
    assert not email.leaked(shown)
    assert phone.written not in shown
    assert email.written not in shown
    assert name not in shown
    assert customer.phone is not None
    assert customer.phone.reveal() == phone.written
    assert customer.email is not None
    assert customer.email.reveal() == email.written
    assert customer.name is not None
    assert customer.name.reveal() == name


@given(st.text(min_size=1, max_size=40).filter(lambda s: any(ch.isdigit() for ch in s)))
def test_a_phone_in_no_known_format_shows_no_digit(value: str) -> None:
    customer = Customer(id="C-1", phone=value)
    assert customer.phone is not None
    masked = customer.phone.masked
    # Only a recognised phone number's prefix is kept; every other digit is hidden.
    assert "".join(DIGITS.findall(masked)) == "".join(
        DIGITS.findall("".join(s.masked for s in find_personal(value)))
    )
    assert repr(masked) in repr(customer)


def test_an_rrn_written_in_a_customer_field_keeps_no_digit() -> None:
    for written in ("900101-1234567", "9001011234567", "900101 1234567"):
        customer = Customer(id="C-A", name=written)
        assert not DIGITS.search(_shown(customer))


def test_personal_values_mask_every_word() -> None:
    assert mask("홍길동") == "홍*동"
    assert mask("John Smith") == "J**n S***h"
    assert mask("ext 12") == "e*t **"
    with pytest.raises(TypeError, match="got int"):
        Personal(12)  # type: ignore[arg-type]
    assert Personal("010-1234-5678") == Personal("010-1234-5678")
    assert str(Personal("010-1234-5678")) == "010-****-****"


@pytest.mark.parametrize(
    ("role", "assigned", "clear"),
    [
        (Role.SUPERVISOR, False, True),
        (Role.SYSTEM, False, True),
        (Role.HANDLER, True, True),
        (Role.HANDLER, False, False),
        (Role.FRONT_LINE, False, False),
        (Role.FRONT_LINE, True, False),
        (Role.EXECUTIVE, False, False),
        ("supervisor", False, True),
    ],
)
def test_views_by_role(role: Role | str, assigned: bool, clear: bool) -> None:
    customer = Customer(
        id="C-1", name="홍길동", phone="010-1234-5678", email="gildong@example.com", region="Seoul"
    )
    assert sees_contact(role, assigned=assigned) is clear
    view = customer.view(role, assigned=assigned)
    assert isinstance(view, CustomerView)
    assert view.revealed is clear
    assert view.region == "Seoul"
    if clear:
        assert (view.name, view.phone, view.email) == (
            "홍길동",
            "010-1234-5678",
            "gildong@example.com",
        )
        assert view.model_dump()["phone"] == "010-1234-5678"
    else:
        assert (view.name, view.phone, view.email) == ("홍*동", "010-****-****", "***@example.com")
        assert "1234" not in view.model_dump_json()
    shown = repr(view) + str(view)
    assert "1234" not in shown
    assert "gildong@" not in shown
    assert "홍길동" not in shown
    assert {Role.SUPERVISOR, Role.SYSTEM} == CONTACT_ROLES


def test_an_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError, match="auditor"):
        Customer(id="C-1").view("auditor")


# -- validation errors ---------------------------------------------------------------------------


def _errors_of(build: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        build()
    return caught.value


@pytest.mark.parametrize(
    "build",
    [
        lambda: Customer(id="C-1", phone="010-1234-5678" + "9" * 300),
        lambda: Customer(id="C-1", email="gildong@example.com" + "x" * 300),
        lambda: Customer(id="C-1", name="", phone="010-1234-5678", extra="900101-1234567"),
        lambda: Customer(id="C-1", phone="010-1234-5678", language="900101-1234567"),
        lambda: Customer.model_validate({"id": "C-1", "phone": ["010-1234-5678"]}),
        lambda: Customer.model_validate_json(
            '{"id": "C-1", "email": "gildong@example.com", "x": 1}'
        ),
        lambda: Concern(kind="complaint", text="010-1234-5678 " * 2_000),
        lambda: Concern(kind="complaint", text="gildong@example.com", severity="900101-1234567"),
        lambda: Result(remedy="apology", cause="010-1234-5678" * 200),
    ],
)
def test_validation_errors_do_not_echo_the_input(build: Callable[[], object]) -> None:
    exc = _errors_of(build)
    shown = f"{exc}\n{exc!r}"
    for secret in ("1234-5678", "gildong@", "1234567", "9999999"):
        assert secret not in shown
    assert "input_value" not in shown
    assert all("input" not in e for e in exc.errors(include_input=False))


# -- free text in models -------------------------------------------------------------------------


def _received(text: str, *, tag: str, attribute: str, customer: Customer) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id="VOC-1",
        version=1,
        at=AT,
        actor=Actor.system(),
        trigger="receive",
        stage="received",
        received_at=AT,
        channel=Channel.PHONE,
        customer=customer.ref(),
        concerns=(Concern(kind="complaint", text=text), Concern(kind="inquiry", text="plain")),
        tags=frozenset({tag, "pot"}),
        attributes={"contact": attribute, "nested": {"list": [attribute, 1]}, "n": 2},
    )


@given(st.tuples(filler, joiners, pii), st.tuples(filler, joiners, pii), phones(), emails())
def test_models_holding_customer_words_show_them_masked(
    first: tuple[str, str, Pii], second: tuple[str, str, Pii], phone: Pii, email: Pii
) -> None:
    words = [f"{w}{j}{p.written}" for w, j, p in (first, second)]
    secrets = [first[2], second[2]]
    assume(not any(p.leaked(w) for p in (phone, email) for w in words))
    customer = Customer(id="C-9", phone=phone.written, email=email.written)
    received = _received(
        words[0], tag=f"tag {second[2].written}", attribute=words[1], customer=customer
    )
    later = [
        Transferred(
            complaint_id="VOC-1",
            version=2,
            at=AT,
            actor=Actor(id="agent-1", role=Role.HANDLER),
            from_department=None,
            to_department="cs",
            reason=words[1],
        ),
        ResultRegistered(
            complaint_id="VOC-1",
            version=3,
            at=AT,
            actor=Actor.system(),
            result=Result(remedy="refund", cause=words[0], measures=words[1]),
        ),
        FeedbackRecorded(
            complaint_id="VOC-1",
            version=4,
            at=AT,
            actor=Actor.system(),
            feedback=Feedback(satisfied=False, comment=words[0]),
        ),
        EarlyWarningRaised(
            complaint_id="VOC-1",
            version=5,
            at=AT,
            actor=Actor.system(),
            step=1,
            actions=tuple(words),
        ),
    ]
    events = [received, *later]
    complaint = fold(events)
    for model in [*events, complaint, received.concerns[0]]:
        shown = f"{model!r}\n{model}"
        for secret in [*secrets, phone, email]:
            assert not secret.leaked(shown), (secret, shown)
        # The stored form keeps the customer's words exactly, byte for byte.
        body = model.model_dump_json()
        again = type(model).model_validate_json(body)
        assert again == model
        assert again.model_dump_json() == body
        # The customer's own contact details never enter a complaint or an event.
        assert not phone.leaked(body)
        assert not email.leaked(body)
    for event in events:
        assert event_from_json(event.model_dump_json()) == event
    assert received.concerns[0].text == words[0]
    assert complaint.result is not None
    assert complaint.result.cause == words[0]


def test_repr_values_without_personal_data_are_unchanged() -> None:
    value = {"a": ("x", 1, frozenset({"y"})), "b": [Role.HANDLER]}
    assert masked_repr_value(value) is value
    assert masked_repr_value(Role.HANDLER) is Role.HANDLER
    assert masked_repr_value(("010-1234-5678",)) == ("010-****-****",)
    assert masked_repr_value({"010-1234-5678"}) == {"010-****-****"}
    concern = Concern(kind="complaint", text="The handle broke off")
    assert repr(concern).startswith("Concern(kind=<VocKind.COMPLAINT: 'complaint'>")


# -- the store keeps the clear values ------------------------------------------------------------


@given(phones(), emails(), names)
def test_sqlite_stores_and_returns_clear_values(phone: Pii, email: Pii, name: str) -> None:
    customer = Customer(id="C-1", name=name, phone=phone.written, email=email.written)
    with SQLiteStore() as store:
        store.save_customer(customer)
        got = store.get_customer("C-1")
    assert got == customer
    assert got.phone is not None
    assert got.phone.reveal() == phone.written
    assert got.email is not None
    assert got.email.reveal() == email.written
    assert got.name is not None
    assert got.name.reveal() == name
    assert not phone.leaked(repr(got))
