"""Code suggestions at receive: a Desk subscriber running a :class:`ccms.classify.CodeSuggester`.

After each ``received`` event it asks the suggester about the new complaint. A confident
suggestion (every concern at or above the suggester's ``min_probability``) is applied at once by
the system actor through ``Desk.classify`` (the taxonomy checks included), with the decision
and its probabilities logged and kept; a suggestion below the threshold is only kept, in
:attr:`SuggestAtReceive.suggestions`, for a person to accept or correct. A suggestion that fails
to apply (a code not in force, a concurrent change) is kept and logged, never raised: the
contact is already stored.

The ``Desk.receive`` call returns the complaint as received (version 1); read it again from the
store to see the classification.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ccms.classify import CodeSuggester, Suggestion
from ccms.desk.service import Desk
from ccms.errors import CCMSError
from ccms.model import Actor, Complaint, ComplaintReceived, DomainEvent
from ccms.policy.base import PolicyContext

__all__ = ["SuggestAtReceive", "suggest_at_receive"]

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
            self.desk.classify(
                complaint.id,
                codes,
                severities=severities,
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
