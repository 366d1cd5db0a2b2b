"""Finding and masking personal data (개인정보) in values and in free text.

Three kinds of contact details are recognised wherever they appear, whatever their separators:

* Korean phone numbers, mobile and landline: ``01012345678``, ``010-1234-5678``,
  ``010 1234 5678``, ``010.1234.5678``, ``(02) 123-4567``, ``02)123-4567``, ``+82 10-1234-5678``,
  ``+821012345678``, ``0082-2-123-4567``; area codes 02, 031-033, 041-044, 051-055, 061-064,
  internet phones 070 and safe numbers 0502-0508. Fullwidth digits and the many Unicode dashes
  count as their ASCII forms.
* E-mail addresses: ``gildong@example.com``, ``g.d+voc@mail.example.co.kr``.
* Korean resident registration numbers (주민등록번호, also the foreigner registration number):
  ``900101-1234567``, ``9001011234567``, ``900101 1234567``, and half-masked ones such as
  ``900101-1******``. The first six digits must be a date (month 01-12, day 01-31) and the seventh
  1 to 8; the check digit is not required (numbers issued since October 2020 have none).

Each is replaced by one fixed mask, the same wherever it is found (in a customer's phone field or
in the middle of a complaint's text):

======================  =============================  =========================================
kind                    kept                           masked form
======================  =============================  =========================================
phone                   the carrier or area prefix     ``010-****-****``, ``02-****-****``,
                                                       ``+82-10-****-****``
e-mail                  the domain                     ``***@example.com``
resident number         nothing                        ``******-*******``
======================  =============================  =========================================

The masks have a fixed length: they tell neither the digits nor how many there were.

>>> mask_text("연락처 010 1234 5678, 메일 gildong@example.com, 주민번호 9001011234567")
'연락처 010-****-****, 메일 ***@example.com, 주민번호 ******-*******'

Ordinary numbers of complaint text are left alone: order numbers, amounts, dates, times, VOC codes.

>>> mask_text("주문 ORD-2026-000123, 50,000원 결제, 2026-10-05 14:30 배송 (PRD.DEF.HANDLE)")
'주문 ORD-2026-000123, 50,000원 결제, 2026-10-05 14:30 배송 (PRD.DEF.HANDLE)'

A number right after a digit and a dash, dot, slash, comma or colon (the ``010123 ...`` of
``ORD-2026-010123 2026-10-05``, the ``016 ...`` of ``₩3,016 20000101``, the ``02 ...`` of
``00:02 1588-0000``) is taken for the rest of a code, an amount or a time. A landline or resident
number glued to ASCII letters without any separator (``ORD0212345678``, ``ORD2510051234567``) is
taken for a code too; a mobile number never is (``HP01012345678`` is masked), nor one written with
separators (``Tel.02-123-4567``). Not recognised: names and addresses in free text (no detector can
tell them from other words), spelled-out or obfuscated forms (``공일공``,
``gildong at example dot com``), e-mail local parts in Hangul.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "EMAIL_MASK",
    "PHONE_MASK",
    "RRN_MASK",
    "PersonalKind",
    "PersonalSpan",
    "find_personal",
    "mask",
    "mask_text",
]

#: The masked subscriber part of a phone number (after the kept prefix and a dash).
PHONE_MASK = "****-****"
#: What replaces an e-mail address's local part (the domain is kept).
EMAIL_MASK = "***"
#: What replaces a resident registration number, entirely.
RRN_MASK = "******-*******"


class PersonalKind(StrEnum):
    """The kinds of personal data :func:`find_personal` recognises."""

    PHONE = "phone"
    EMAIL = "email"
    RRN = "rrn"  # 주민등록번호 / 외국인등록번호


class PersonalSpan(NamedTuple):
    """Where a piece of personal data is in a text: ``text[start:end]``, and what replaces it.

    Holds no clear value, so a span may be logged.
    """

    kind: PersonalKind
    start: int
    end: int
    masked: str


def _translation() -> dict[int, str]:
    """Characters that read as ASCII digits, '+', '@', '-', '.' or '/', mapped one to one."""
    table: dict[int, str] = {0xFF10 + i: str(i) for i in range(10)}  # fullwidth digits
    table.update({0x1D7CE + i: str(i % 10) for i in range(50)})  # mathematical digits
    for ch in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\ufe58\ufe63\uff0d":
        table[ord(ch)] = "-"
    table.update({0xFF0B: "+", 0xFE62: "+", 0xFF20: "@", 0xFE6B: "@"})
    table.update({0xFF0E: ".", 0x3002: ".", 0xFF61: ".", 0xFF0F: "/", 0xFF3F: "_"})
    table.update({0xFF08: "(", 0xFF09: ")"})
    for ch in "\u200b\u200c\u200d\u2060\ufeff":  # zero-width characters read as a blank
        table[ord(ch)] = " "
    return table


_TRANSLATE = _translation()

# A separator between the groups of a number: up to two blanks, one dash-like mark, two blanks.
_SEP = r"(?:[^\S\n]{0,2}[-./_]?[^\S\n]{0,2})"


def _number(body: str) -> str:
    """A number that neither continues a digit run, a code, an amount or a time (``2026-0...``,
    ``3,016``, ``00:02``) nor runs on."""
    return r"(?<![0-9])(?<![0-9][-./_,:])" + body + r"(?![0-9])"


_PATTERN = re.compile(
    "|".join(
        [
            # resident registration number: YYMMDD, a separator, 1-8 and six digits (or masks)
            _number(
                r"(?P<rrn>[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
                + _SEP
                + r"[1-8*xX][0-9*xX]{6})(?![^\S\n]?원)"  # 900101 1234567원 is two amounts
            ),
            # e-mail: an ASCII local part (from its first character on: searching from inside
            # one would take quadratic time), '@' (a blank allowed either side), a dotted domain
            r"(?<![A-Za-z0-9!#$%&*+=?^_`{|}~.-])(?P<email>[A-Za-z0-9!#$%&*+=?^_`{|}~.-]+ ?@ ?"
            + r"(?P<domain>(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,}))",
            # +82 or 0082, an optional (0), a mobile prefix or an area code without its 0
            _number(
                r"(?P<intl>(?:\+|00)"
                + _SEP
                + r"82"
                + _SEP
                + r"(?:\(\s?0\s?\)|0)?"
                + _SEP
                + r"(?P<iprefix>1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50[2-8])\)?"
                + _SEP
                + r"[0-9]{3,4}"
                + _SEP
                + r"[0-9]{4})"
            ),
            # domestic: a mobile prefix or an area code, optionally in parentheses
            _number(
                r"(?P<phone>(?:\(\s?)?"
                + r"(?P<prefix>01[016789]|02|03[1-3]|04[1-4]|05[1-5]|06[1-4]|070|050[2-8])"
                + r"(?:\s?\))?"
                + _SEP
                + r"[0-9]{3,4}"
                + _SEP
                + r"[0-9]{4})"
            ),
        ]
    )
)

_NOT_DIGIT = re.compile(r"[^0-9]")


def _span(match: re.Match[str], view: str, text: str) -> PersonalSpan | None:
    """The span of ``match`` (found in ``view``), or None if it is no personal data."""
    start, end = match.span()
    group = match.lastgroup
    if group == "email":
        domain = text[match.start("domain") : end]  # the domain as the customer wrote it
        return PersonalSpan(PersonalKind.EMAIL, start, end, f"{EMAIL_MASK}@{domain}")
    if group == "intl":
        return PersonalSpan(PersonalKind.PHONE, start, end, f"+82-{match['iprefix']}-{PHONE_MASK}")
    prefix = match["prefix"]
    if group == "rrn" or not prefix.startswith("01"):
        before = view[start - 1] if start > 0 else ""
        if before.isascii() and before.isalpha() and not _NOT_DIGIT.search(match.group(0)):
            return None  # glued to letters, no separator: a code such as ORD0212345678
    if group == "rrn":
        return PersonalSpan(PersonalKind.RRN, start, end, RRN_MASK)
    return PersonalSpan(PersonalKind.PHONE, start, end, f"{prefix}-{PHONE_MASK}")


def find_personal(text: str) -> list[PersonalSpan]:
    """The phone numbers, e-mail addresses and resident numbers in ``text``, in order.

    >>> text = "전화 +82 10-1234-5678 / hong@example.kr"
    >>> [(s.kind.value, text[s.start:s.end], s.masked) for s in find_personal(text)]
    [('phone', '+82 10-1234-5678', '+82-10-****-****'), ('email', 'hong@example.kr', '***@example.kr')]
    >>> find_personal("ORD-2026-000123 50,000원 2026-10-05")
    []
    """
    view = text.translate(_TRANSLATE)  # same length: offsets in ``view`` are offsets in ``text``
    spans: list[PersonalSpan] = []
    pos = 0
    while True:
        match = _PATTERN.search(view, pos)
        if match is None:
            return spans
        span = _span(match, view, text)
        if span is None:
            pos = match.start() + 1
            continue
        spans.append(span)
        pos = max(match.end(), match.start() + 1)


def mask_text(text: str) -> str:
    """``text`` with every phone number, e-mail address and resident number masked.

    Everything else is left as written, so the text stays readable:

    >>> mask_text("HP010-1234-5678 로 연락 주세요. 주민번호 900101-1234567 은 지워 주세요.")
    'HP010-****-**** 로 연락 주세요. 주민번호 ******-******* 은 지워 주세요.'
    >>> mask_text("no personal data here") == "no personal data here"
    True
    """
    spans = find_personal(text)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for span in spans:
        out.append(text[last : span.start])
        out.append(span.masked)
        last = span.end
    out.append(text[last:])
    return "".join(out)


_WORD = re.compile(r"\w+")


def _mask_word(word: str) -> str:
    if any(ch.isdigit() for ch in word) or len(word) == 1:
        return "*" * len(word)
    if len(word) == 2:
        return word[0] + "*"
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask(value: str) -> str:
    """Mask a personal value (a name, a phone number, an e-mail address) as a whole.

    Recognised contact details get their fixed mask (see the module's table); in what is left,
    every word keeps its first and last letter only and every digit is hidden, so a value in no
    known format never shows either.

    >>> mask("010-1234-5678"), mask("01012345678"), mask("+82 10 1234 5678")
    ('010-****-****', '010-****-****', '+82-10-****-****')
    >>> mask("gildong@example.com"), mask("900101-1234567")
    ('***@example.com', '******-*******')
    >>> mask("홍길동"), mask("Jo"), mask("김"), mask("1234-5678"), mask("집 02-123-4567")
    ('홍*동', 'J*', '*', '****-****', '* 02-****-****')
    """
    out: list[str] = []
    last = 0
    for span in [*find_personal(value), None]:
        end = len(value) if span is None else span.start
        out.append(_WORD.sub(lambda m: _mask_word(m.group(0)), value[last:end]))
        if span is not None:
            out.append(span.masked)
            last = span.end
    return "".join(out)
