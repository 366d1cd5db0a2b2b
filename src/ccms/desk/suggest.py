"""Code suggestions at receive: a Desk subscriber running a :class:`ccms.classify.CodeSuggester`.

After each ``received`` event it asks the suggester about the new complaint. A confident
suggestion (every concern at or above the suggester's ``min_probability``) is applied at once by
the system actor, checked against the Desk's taxonomy (codes in force on the received date), as
a :class:`SuggestedClassify` command: its ``Classified`` event records the model's version stamp,
each concern's probability and the threshold (``Classified.suggested``). The decision is logged
and kept; a suggestion below the threshold is only kept, in
:attr:`SuggestAtReceive.suggestions`, for a person to accept or correct. A suggestion that fails
to apply (a code not in force, a concurrent change) is kept and logged, never raised: the
contact is already stored.

The ``Desk.receive`` call returns the complaint as received (version 1); read it again from the
store to see the classification.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ccms.classify import CodeSuggester, Suggestion
from ccms.desk.service import Desk
from ccms.errors import CCMSError
from ccms.model import Actor, Classified, Complaint, ComplaintReceived, DomainEvent
from ccms.model.events import SuggestedBy
from ccms.policy.base import PolicyContext
from ccms.workflow import Classify

__all__ = ["SuggestAtReceive", "SuggestedClassify", "suggest_at_receive"]


class SuggestedClassify(Classify):
    """``Classify`` with the suggestion it applies: its ``Classified`` event carries
    ``suggested`` (the model's version stamp, the probabilities, the threshold)."""

    suggested: SuggestedBy

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [
            e.model_copy(update={"suggested": self.suggested}) if isinstance(e, Classified) else e
            for e in super().build(complaint, header)
        ]


log = logging.getLogger(__name__)


class SuggestAtReceive:
    """The subscriber; :func:`suggest_at_receive` builds and subscribes it."""

    __slots__ = ("applied", "desk", "suggester", "suggestions")

    def __init__(self, desk: Desk, suggester: CodeSuggester) -> None:
        self.desk = desk
        self.suggester = suggester
        #: The latest suggestion per complaint id (applied or not).
        self.suggestions: dict[str, Suggestion] = {}
        #: The ids of the complaints this subscriber classified.
        self.applied: set[str] = set()

    def __repr__(self) -> str:
        return f"SuggestAtReceive({self.suggester!r})"

    def __call__(self, complaint: Complaint, events: Sequence[DomainEvent]) -> None:
        received = next((e for e in events if isinstance(e, ComplaintReceived)), None)
        if received is None:
            return
        ctx = PolicyContext(
            complaint=complaint,
            events=tuple(events),
            now=received.at,
            organization=self.desk.organization,
            taxonomy=self.desk.taxonomy,
        )
        suggestion = self.suggester.decide(ctx)
        if suggestion is None:
            return
        self.suggestions[complaint.id] = suggestion
        if not suggestion.apply:
            log.info("complaint %s: %s, left for a person", complaint.id, suggestion.reason())
            return
        codes, severities = suggestion.applied()
        try:
            if self.desk.taxonomy is not None:
                for code in codes:
                    self.desk.taxonomy.lookup(code, complaint.received_at.date())
            self.desk.execute(
                complaint.id,
                SuggestedClassify(
                    codes=codes, severities=severities, suggested=suggestion.suggested_by()
                ),
                actor=Actor.system(),
                at=received.at,
                expected_version=complaint.version,
            )
        except CCMSError:
            log.exception("complaint %s: could not apply %s", complaint.id, suggestion.reason())
            return
        self.applied.add(complaint.id)
        log.info("complaint %s: classified by the system, %s", complaint.id, suggestion.reason())


def suggest_at_receive(desk: Desk, suggester: CodeSuggester) -> SuggestAtReceive:
    """Subscribe a :class:`SuggestAtReceive` to ``desk`` and return it."""
    hook = SuggestAtReceive(desk, suggester)
    desk.subscribe(hook)
    return hook
