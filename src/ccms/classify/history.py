"""Training data from the host's own history: every classified concern is a labelled text.

:func:`labelled_concerns` reads complaints (a store's, an import's) and keeps each concern that
has a VOC code and words: its text, code, kind and severity, and the complaint's received time
(for a time-based evaluation). Left out, and counted: concerns with no code yet, with no words,
with words erased by a privacy request (``REDACTED``), and, when the complaints' events are
given, concerns whose code a model suggested and no person has confirmed since (training on a
model's own labels would only teach it what it already believes).
:func:`train_from_complaints` trains a :class:`~ccms.classify.VocClassifier` on them.

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> received = ComplaintReceived(complaint_id="c1", version=1, at=t0, actor=Actor.system(),
...     stage="received", received_at=t0, channel="web", customer=CustomerRef(id="u1"),
...     concerns=(Concern(kind="complaint", code="DLV.LATE", text="Still no parcel"),
...               Concern(kind="inquiry", text="Can I change the address?")))
>>> data = labelled_concerns([fold([received])])
>>> data.texts, data.codes, data.unclassified
(('Still no parcel',), ('DLV.LATE',), 1)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import attrs

from ccms.classify.voc import VocClassifier
from ccms.errors import InvalidInput
from ccms.model import REDACTED, Classified, Complaint, DomainEvent, Severity, Taxonomy, VocKind

__all__ = ["LabelledConcerns", "labelled_concerns", "train_from_complaints"]


@attrs.frozen(slots=True, kw_only=True)
class LabelledConcerns:
    """Parallel tuples, one item per labelled concern, and the counts of what was left out."""

    texts: tuple[str, ...]
    codes: tuple[str, ...]
    kinds: tuple[VocKind, ...]
    severities: tuple[Severity, ...]
    received_at: tuple[datetime, ...]
    complaints: int
    unclassified: int = 0
    without_text: int = 0
    machine_labelled: int = 0

    def __len__(self) -> int:
        return len(self.texts)


def _suggested_last(events: Sequence[DomainEvent]) -> bool:
    """Whether the complaint's latest classification was a model's suggestion."""
    last = next((e for e in reversed(events) if isinstance(e, Classified)), None)
    return last is not None and last.suggested is not None


def labelled_concerns(
    complaints: Iterable[Complaint],
    *,
    events_of: Callable[[str], Sequence[DomainEvent]] | None = None,
) -> LabelledConcerns:
    """The classified concerns of ``complaints`` as labelled texts (module docs).

    ``events_of(complaint_id)`` (a store's ``events``) lets it leave out the concerns of a
    complaint whose latest ``Classified`` event applied a model's suggestion."""
    texts: list[str] = []
    codes: list[str] = []
    kinds: list[VocKind] = []
    severities: list[Severity] = []
    times: list[datetime] = []
    seen = unclassified = without_text = machine = 0
    for complaint in complaints:
        seen += 1
        suggested = events_of is not None and _suggested_last(events_of(complaint.id))
        for concern in complaint.concerns:
            words = concern.text.strip()
            if concern.code is None:
                unclassified += 1
            elif not words or words == REDACTED:
                without_text += 1
            elif suggested:
                machine += 1
            else:
                texts.append(words)
                codes.append(concern.code)
                kinds.append(concern.kind)
                severities.append(concern.severity)
                times.append(complaint.received_at)
    return LabelledConcerns(
        texts=tuple(texts),
        codes=tuple(codes),
        kinds=tuple(kinds),
        severities=tuple(severities),
        received_at=tuple(times),
        complaints=seen,
        unclassified=unclassified,
        without_text=without_text,
        machine_labelled=machine,
    )


def train_from_complaints(
    complaints: Iterable[Complaint] | LabelledConcerns,
    *,
    taxonomy: Taxonomy,
    as_of: date | None = None,
    events_of: Callable[[str], Sequence[DomainEvent]] | None = None,
    **options: Any,
) -> VocClassifier:
    """A :class:`VocClassifier` trained on the classified concerns of ``complaints``: the code,
    and the kind and severity when the history holds at least two of each. ``options`` go to
    each :class:`~ccms.classify.TextClassifier`; at least two codes are needed."""
    data = (
        complaints
        if isinstance(complaints, LabelledConcerns)
        else labelled_concerns(complaints, events_of=events_of)
    )
    if len(set(data.codes)) < 2:
        raise InvalidInput(
            f"training needs classified concerns of at least two codes; of {data.complaints} "
            f"complaints, {len(data)} concerns are labelled ({sorted(set(data.codes)) or 'none'}), "
            f"{data.unclassified} have no code, {data.without_text} no words, "
            f"{data.machine_labelled} a model's unconfirmed code"
        )
    return VocClassifier.train(
        data.texts,
        data.codes,
        taxonomy=taxonomy,
        kinds=data.kinds if len(set(data.kinds)) >= 2 else None,
        severities=data.severities if len(set(data.severities)) >= 2 else None,
        as_of=as_of,
        **options,
    )
