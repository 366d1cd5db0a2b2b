"""Private: the Desk's command methods, one per workflow trigger (``Desk`` inherits them).

Each builds its workflow command at the boundary (bad input: :class:`~ccms.errors.InvalidInput`)
and runs it through :meth:`Desk.execute`; the keyword ``options`` are ``execute``'s (``actor``,
``at``, ``expected_version``, ``idempotency_key``, ``notice_reason``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from ccms.desk._plumbing import Router, boundary, command_fingerprint
from ccms.desk._results import RemedyCase, applied_standard, check_below
from ccms.errors import InvalidInput, NoDecision
from ccms.model import (
    Actor,
    Channel,
    Complaint,
    DomainEvent,
    Feedback,
    Flag,
    Organization,
    Result,
    Severity,
)
from ccms.policy.base import PolicyContext
from ccms.policy.remedy_standards import RemedyStandards
from ccms.store import ComplaintStore, check_id, check_key
from ccms.workflow import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Close,
    CloseCcCard,
    Command,
    Escalate,
    Notify,
    RecordFeedback,
    RegisterResult,
    Reject,
    Reopen,
    Respond,
    Resume,
    SetFlags,
    Start,
    Transfer,
    WaitOnCustomer,
    Withdraw,
    Workflow,
)

__all__ = ["CommandMethods"]


class CommandMethods:
    """The command methods of :class:`~ccms.desk.Desk` (see there)."""

    if TYPE_CHECKING:
        store: ComplaintStore
        workflow: Workflow
        organization: Organization
        remedy_standards: RemedyStandards | None
        department_router: Router | None
        handler_router: Router | None

        def execute(
            self,
            complaint_id: str,
            command: Command,
            *,
            actor: Actor | None = None,
            at: datetime | None = None,
            expected_version: int | None = None,
            idempotency_key: str | None = None,
            notice_reason: str | None = None,
        ) -> Complaint: ...

        def _execute(
            self,
            complaint_id: str,
            command: Command,
            *,
            actor: Actor | None = None,
            at: datetime | None = None,
            expected_version: int | None = None,
            idempotency_key: str | None = None,
            request: str | None = None,
            notice_reason: str | None = None,
        ) -> Complaint: ...

        def _check_codes(
            self, codes: Iterable[str | None], complaint_received: datetime
        ) -> None: ...

        def _retried(
            self, key: str, command_print: str, complaint_id: str, name: str
        ) -> Complaint | None: ...

        def _catch_up(self) -> None: ...

        def _load(self, complaint_id: str) -> tuple[Complaint, tuple[DomainEvent, ...]]: ...

        def _now(self, at: datetime | None, field: str = "at") -> datetime: ...

        def _context(
            self,
            complaint: Complaint,
            events: Sequence[DomainEvent],
            now: datetime,
            *,
            with_load: bool = False,
            given: Mapping[str, Any] | None = None,
        ) -> PolicyContext: ...

    def classify(
        self,
        complaint_id: str,
        codes: Sequence[str],
        *,
        severities: Sequence[Severity | str] | None = None,
        **options: Any,
    ) -> Complaint:
        """Give each concern its VOC code (분류/등록); codes must be in force on the received date."""
        command = boundary(
            lambda: Classify(
                codes=tuple(codes),
                severities=None if severities is None else tuple(Severity(s) for s in severities),
            )
        )
        complaint = self._load(complaint_id)[0]  # the cached complaint while it is current
        self._check_codes(command.codes, complaint.received_at)
        return self.execute(complaint_id, command, **options)

    def assign_department(
        self, complaint_id: str, department: str | None = None, **options: Any
    ) -> Complaint:
        """Make a department responsible; with no ``department``, the department router decides
        (a retry with the same ``idempotency_key`` is answered, not routed again)."""
        rule = ""
        request: str | None = None
        if department is None:
            found = self._routed_request(complaint_id, "assign_department", options)
            if isinstance(found, Complaint):
                return found
            request = found
            department, rule = self._route(complaint_id, "department", options.get("at"))
        check_id(department, "department id")
        if not self.organization.has_department(department) and self.organization.departments:
            self.organization.department(department)  # raises UnknownMember with suggestions
        return self._execute(
            complaint_id,
            boundary(lambda: AssignDepartment(department=department, rule=rule)),
            request=request,
            **options,
        )

    def assign_handler(
        self, complaint_id: str, handler: str | None = None, **options: Any
    ) -> Complaint:
        """Assign a handler; with no ``handler``, the handler router decides (and explains; a
        retry with the same ``idempotency_key`` is answered, not routed again)."""
        rule = ""
        request: str | None = None
        if handler is None:
            found = self._routed_request(complaint_id, "assign_handler", options)
            if isinstance(found, Complaint):
                return found
            request = found
            handler, rule = self._route(complaint_id, "handler", options.get("at"))
        return self._execute(
            complaint_id,
            boundary(lambda: AssignHandler(handler=handler, rule=rule)),
            request=request,
            **options,
        )

    def _routed_request(
        self, complaint_id: str, name: str, options: Mapping[str, Any]
    ) -> str | Complaint | None:
        """For a routed assignment with an idempotency key: the first result if this is a retry,
        else the fingerprint of the request (``None`` without a key)."""
        key = options.get("idempotency_key")
        if key is None:
            return None
        check_key(key)
        check_id(complaint_id)
        request = command_fingerprint(name, complaint_id, None)
        previous = self._retried(key, request, complaint_id, name)
        return request if previous is None else previous

    def _route(
        self, complaint_id: str, what: Literal["department", "handler"], at: datetime | None
    ) -> tuple[str, str]:
        router = self.department_router if what == "department" else self.handler_router
        if router is None:
            raise NoDecision(complaint_id, what, [f"give a {what} or configure a {what} router"])
        self._catch_up()
        complaint, history = self._load(complaint_id)
        ctx = self._context(complaint, history, self._now(at), with_load=True)
        decision = router.decide(ctx)
        chosen = getattr(decision, what, None) if decision is not None else None
        if not chosen:
            reasons = getattr(decision, "reasons", ()) if decision is not None else ()
            raise NoDecision(complaint_id, what, [str(r) for r in reasons])
        return str(chosen), str(getattr(decision, "rule", ""))

    def start(self, complaint_id: str, **options: Any) -> Complaint:
        """The handler starts work."""
        return self.execute(complaint_id, Start(), **options)

    def wait_on_customer(self, complaint_id: str, reason: str = "", **options: Any) -> Complaint:
        """Handling waits on the customer (SLA clocks pause)."""
        return self.execute(
            complaint_id, boundary(lambda: WaitOnCustomer(reason=reason)), **options
        )

    def resume(self, complaint_id: str, **options: Any) -> Complaint:
        """The customer answered; handling goes on."""
        return self.execute(complaint_id, Resume(), **options)

    def respond(
        self, complaint_id: str, channel: Channel | str, note: str = "", **options: Any
    ) -> Complaint:
        """A reply reached the customer (stops the first-response clock)."""
        return self.execute(
            complaint_id, boundary(lambda: Respond(channel=channel, note=note)), **options
        )

    def transfer(
        self, complaint_id: str, to_department: str, reason: str = "", **options: Any
    ) -> Complaint:
        """Move the complaint to another department (counted; the handler is released)."""
        return self.execute(
            complaint_id,
            boundary(lambda: Transfer(to_department=to_department, reason=reason)),
            **options,
        )

    def register_result(
        self,
        complaint_id: str,
        result: Result | Mapping[str, Any],
        *,
        outcomes: Sequence[str | None] = (),
        case: RemedyCase | Mapping[str, Any] | None = None,
        reason: str = "",
        **options: Any,
    ) -> Complaint:
        """Register the result (처리결과 등록); refused above the registrant's authority.

        With remedy standards (``Desk(remedy_standards=...)``) the remedy is checked against
        the standard for ``case`` (a :class:`~ccms.desk.RemedyCase`, or the complaint's
        attributes ``product_category``, ``defect``, ``purchased_on`` and ``repairs``; without
        either nothing is checked) and the standard applied is recorded on the event and shown
        in the result notice. A remedy below it needs a supervisor (an ``actor`` in the role of
        supervisor or executive) and their ``reason``, else
        :class:`~ccms.errors.GuardRejected` and nothing is written.
        """
        chosen = boundary(
            lambda: result if isinstance(result, Result) else Result.model_validate(result)
        )
        standard = None
        actor = options.get("actor") or Actor.system()
        if self.remedy_standards is not None:
            complaint, history = self._load(complaint_id)
            standard = applied_standard(
                self.remedy_standards, complaint, chosen.remedy, case, actor=actor, reason=reason
            )
        elif case is not None:
            raise InvalidInput(
                f"complaint {complaint_id}: a remedy case was given but the Desk has no remedy "
                "standards to check it against (Desk(remedy_standards=...))"
            )
        command = boundary(
            lambda: RegisterResult(result=chosen, outcomes=tuple(outcomes), standard=standard)
        )
        if standard is not None:
            check_below(
                self.workflow,
                complaint,
                command,
                actor=actor,
                at=self._now(options.get("at")),
                organization=self.organization,
                history=history,
            )
        return self.execute(complaint_id, command, **options)

    def notify(self, complaint_id: str, channel: Channel | str, **options: Any) -> Complaint:
        """Tell the customer the result (처리결과 통보)."""
        return self.execute(complaint_id, boundary(lambda: Notify(channel=channel)), **options)

    def record_feedback(
        self, complaint_id: str, feedback: Feedback | Mapping[str, Any], **options: Any
    ) -> Complaint:
        """Record the happy call's answer (해피콜)."""
        command = boundary(
            lambda: RecordFeedback(
                feedback=feedback
                if isinstance(feedback, Feedback)
                else Feedback.model_validate(feedback)
            )
        )
        return self.execute(complaint_id, command, **options)

    def reopen(self, complaint_id: str, reason: str = "", **options: Any) -> Complaint:
        """Reopen after an unhappy happy call, or within the window after closing."""
        return self.execute(complaint_id, boundary(lambda: Reopen(reason=reason)), **options)

    def close(self, complaint_id: str, reason: str = "", **options: Any) -> Complaint:
        """Close the complaint."""
        return self.execute(complaint_id, boundary(lambda: Close(reason=reason)), **options)

    def withdraw(self, complaint_id: str, reason: str = "", **options: Any) -> Complaint:
        """The customer withdrew the complaint."""
        return self.execute(complaint_id, boundary(lambda: Withdraw(reason=reason)), **options)

    def reject(
        self,
        complaint_id: str,
        reason: Literal["duplicate", "out_of_scope", "abusive", "other"],
        *,
        duplicate_of: str | None = None,
        note: str = "",
        **options: Any,
    ) -> Complaint:
        """Do not handle it: a duplicate (name the original), out of scope, or abusive."""
        return self.execute(
            complaint_id,
            boundary(lambda: Reject(reason=reason, duplicate_of=duplicate_of, note=note)),
            **options,
        )

    def escalate(
        self,
        complaint_id: str,
        level: int,
        reason: str = "",
        *,
        notify: Sequence[str] = (),
        **options: Any,
    ) -> Complaint:
        """Raise the complaint to an escalation level by hand."""
        return self.execute(
            complaint_id,
            boundary(lambda: Escalate(level=level, reason=reason, notify=tuple(notify))),
            **options,
        )

    def close_cc_card(self, complaint_id: str, reason: str = "", **options: Any) -> Complaint:
        """Close the complaint's open CC Card once its root cause is removed (supervisors,
        executives and the system only; e.g. when its improvement task is verified)."""
        return self.execute(complaint_id, boundary(lambda: CloseCcCard(reason=reason)), **options)

    def set_flags(
        self,
        complaint_id: str,
        *,
        add: Iterable[Flag | str] = (),
        remove: Iterable[Flag | str] = (),
        reason: str = "",
        **options: Any,
    ) -> Complaint:
        """Add or remove flags (safety, legal threat, supervisor requested, ...)."""
        return self.execute(
            complaint_id,
            boundary(
                lambda: SetFlags(added=frozenset(add), removed=frozenset(remove), reason=reason)
            ),
            **options,
        )
