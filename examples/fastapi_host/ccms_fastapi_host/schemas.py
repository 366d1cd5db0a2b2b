"""The request bodies of the API.

They only shape the HTTP request: every value is handed to the Desk as it came (codes, channels,
kinds and remedies as strings), so the Desk's own validation decides and its message is the one
the client reads. One body per command, told apart by ``command``; its fields are the keyword
arguments of the :class:`ccms.desk.Desk` method of the same name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["COMMANDS", "CommandBody", "ReceiveBody"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReceiveBody(_Body):
    """A new contact: the channel, the customer (contact details optional) and its concerns."""

    channel: str
    customer: dict[str, Any]
    concerns: list[dict[str, Any]]
    flags: list[str] = []
    tags: list[str] = []
    attributes: dict[str, Any] = {}


class _Command(_Body):
    #: The version the client last read (optional): a stale one is refused with 409.
    expected_version: int | None = None


class Classify(_Command):
    command: Literal["classify"]
    codes: list[str]
    severities: list[str] | None = None


class AssignDepartment(_Command):
    command: Literal["assign_department"]
    department: str | None = None


class AssignHandler(_Command):
    command: Literal["assign_handler"]
    handler: str | None = None


class Start(_Command):
    command: Literal["start"]


class WaitOnCustomer(_Command):
    command: Literal["wait_on_customer"]
    reason: str = ""


class Resume(_Command):
    command: Literal["resume"]


class Respond(_Command):
    command: Literal["respond"]
    channel: str
    note: str = ""


class Transfer(_Command):
    command: Literal["transfer"]
    to_department: str
    reason: str = ""


class RegisterResult(_Command):
    command: Literal["register_result"]
    result: dict[str, Any]
    outcomes: list[str | None] = []


class Notify(_Command):
    command: Literal["notify"]
    channel: str


class RecordFeedback(_Command):
    command: Literal["record_feedback"]
    feedback: dict[str, Any]


class Reopen(_Command):
    command: Literal["reopen"]
    reason: str = ""


class Close(_Command):
    command: Literal["close"]
    reason: str = ""


class Withdraw(_Command):
    command: Literal["withdraw"]
    reason: str = ""


class Reject(_Command):
    command: Literal["reject"]
    reason: str
    duplicate_of: str | None = None
    note: str = ""


class Escalate(_Command):
    command: Literal["escalate"]
    level: int
    reason: str = ""
    notify: list[str] = []


class CloseCcCard(_Command):
    command: Literal["close_cc_card"]
    reason: str = ""


class SetFlags(_Command):
    command: Literal["set_flags"]
    add: list[str] = []
    remove: list[str] = []
    reason: str = ""


_BODIES = (
    Classify,
    AssignDepartment,
    AssignHandler,
    Start,
    WaitOnCustomer,
    Resume,
    Respond,
    Transfer,
    RegisterResult,
    Notify,
    RecordFeedback,
    Reopen,
    Close,
    Withdraw,
    Reject,
    Escalate,
    CloseCcCard,
    SetFlags,
)

#: Every command the API fires, by name (the Desk method of the same name).
COMMANDS: tuple[str, ...] = tuple(
    get_args(b.model_fields["command"].annotation)[0] for b in _BODIES
)

CommandBody = Annotated[
    Classify
    | AssignDepartment
    | AssignHandler
    | Start
    | WaitOnCustomer
    | Resume
    | Respond
    | Transfer
    | RegisterResult
    | Notify
    | RecordFeedback
    | Reopen
    | Close
    | Withdraw
    | Reject
    | Escalate
    | CloseCcCard
    | SetFlags,
    Field(discriminator="command"),
]
