"""A FastAPI host over the ccms Desk and an SQLite file.

| route | what |
|---|---|
| ``POST /complaints`` | receive a contact (201); header ``Idempotency-Key`` makes a retry safe |
| ``POST /complaints/{id}/commands`` | fire one command (``{"command": "classify", ...}``) |
| ``GET /complaints/{id}`` | the complaint, its history and its SLA clocks now (``ETag``: the version) |
| ``POST /tick`` | what time alone makes due (SLA milestones, escalations); run it from a scheduler |
| ``GET /reports/{period}`` | the report of a month (``2026-10``), quarter or week, as JSON, Markdown or HTML |

The Desk is built once per process (``create_app``) and shared by every request: it is safe
across threads, and building one reads every snapshot into its index. Who acts comes from the
``X-Actor-Id`` and ``X-Actor-Role`` headers here; a real host takes them from its login.

Run it: ``uvicorn ccms_fastapi_host.app:create_app --factory --app-dir examples/fastapi_host``
(the database is ``$CCMS_DB``, default ``ccms-host.db``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse, PlainTextResponse

from ccms.desk import Clock, Desk
from ccms.model import (
    Actor,
    Complaint,
    Customer,
    CustomerRef,
    DomainEvent,
    Organization,
    Taxonomy,
)
from ccms.policy import BusinessCalendar, PolicyContext, SlaPolicy, SlaState
from ccms.store import SQLiteStore

from . import company, errors
from .schemas import CommandBody, ReceiveBody

__all__ = ["create_app"]


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _actor(
    x_actor_id: Annotated[str | None, Header()] = None,
    x_actor_role: Annotated[str | None, Header()] = None,
) -> Actor | None:
    if x_actor_id is None:
        return None  # the Desk acts as the system
    return Actor.model_validate({"id": x_actor_id, "role": x_actor_role or "handler"})


DeskDep = Annotated[Desk, Depends(_desk)]
ActorDep = Annotated[Actor | None, Depends(_actor)]
IdempotencyKey = Annotated[str | None, Header()]


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _clock_view(state: SlaState) -> dict[str, Any]:
    return {
        "status": state.status,
        "due_at": state.due_at.isoformat() if state.due_at else None,
        "started_at": state.started_at.isoformat() if state.started_at else None,
        "stopped_at": state.stopped_at.isoformat() if state.stopped_at else None,
        "elapsed_seconds": _seconds(state.elapsed),
        "remaining_seconds": _seconds(state.remaining),
        "business": state.target.business,
    }


def sla_now(
    desk: Desk, complaint: Complaint, history: Sequence[DomainEvent], now: datetime
) -> dict[str, dict[str, Any]]:
    """The complaint's SLA clocks at ``now``, read by the Desk's own SLA policy."""
    policy = next((s for s in desk.sweepers if isinstance(s, SlaPolicy)), None)
    if policy is None:
        return {}
    ctx = PolicyContext(
        complaint=complaint,
        now=now,
        events=history,
        organization=desk.organization,
        taxonomy=desk.taxonomy,
    )
    return {name: _clock_view(state) for name, state in policy.evaluate(ctx).items()}


def _complaint(complaint: Complaint) -> dict[str, Any]:
    return complaint.model_dump(mode="json")


def create_app(
    db: str | Path | None = None,
    *,
    clock: Clock | None = None,
    timeout: float = 5.0,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    calendar: BusinessCalendar | None = None,
) -> FastAPI:
    """The API over a Desk on the SQLite file ``db`` (default ``$CCMS_DB`` or ``ccms-host.db``).

    ``clock`` is the Desk's clock (the system clock by default; tests pass a ``ManualClock``);
    ``timeout`` is how long a write waits for another writer's lock before the request is
    answered 503 (``StoreBusy``); the company defaults to :mod:`ccms_fastapi_host.company`.
    """
    path = db if db is not None else os.environ.get("CCMS_DB", "ccms-host.db")
    business = calendar or company.calendar()
    desk = Desk.standard(
        SQLiteStore(path, timeout=timeout),
        organization=organization or company.organization(),
        taxonomy=taxonomy or company.taxonomy(),
        calendar=business,
        clock=clock,
        fallback_department="cs",
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        desk.store.close()

    app = FastAPI(title="ccms host", version="1", lifespan=lifespan)
    app.state.desk = desk
    app.state.calendar = business
    errors.install(app)

    @app.post("/complaints", status_code=status.HTTP_201_CREATED)
    def receive(
        body: ReceiveBody,
        response: Response,
        desk: DeskDep,
        actor: ActorDep,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Receive a contact with its concerns; contact details, if given, stay in the store."""
        contact = {"name", "phone", "email"} & body.customer.keys()
        customer: Customer | CustomerRef = (
            Customer.model_validate(body.customer)
            if contact
            else CustomerRef.model_validate(body.customer)
        )
        complaint = desk.receive(
            channel=body.channel,
            customer=customer,
            concerns=body.concerns,
            flags=body.flags,
            tags=body.tags,
            attributes=body.attributes,
            actor=actor,
            idempotency_key=idempotency_key,
        )
        response.headers["Location"] = f"/complaints/{complaint.id}"
        response.headers["ETag"] = f'"{complaint.version}"'
        return _complaint(complaint)

    @app.post("/complaints/{complaint_id}/commands")
    def fire(
        complaint_id: str,
        body: CommandBody,
        response: Response,
        desk: DeskDep,
        actor: ActorDep,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Fire one command; the body's fields are the Desk method's arguments."""
        arguments = body.model_dump(exclude={"command", "expected_version"})
        method = getattr(desk, body.command)
        complaint: Complaint = method(
            complaint_id,
            **arguments,
            actor=actor,
            expected_version=body.expected_version,
            idempotency_key=idempotency_key,
        )
        response.headers["ETag"] = f'"{complaint.version}"'
        return _complaint(complaint)

    @app.get("/complaints/{complaint_id}")
    def read(complaint_id: str, response: Response, desk: DeskDep) -> dict[str, Any]:
        """The complaint, every event of its history and its SLA clocks now."""
        complaint = desk.get(complaint_id)
        history = desk.history(complaint_id)
        if history and history[-1].version != complaint.version:  # a write in between
            complaint = desk.get(complaint_id)
            history = desk.history(complaint_id)
        response.headers["ETag"] = f'"{complaint.version}"'
        return {
            "complaint": _complaint(complaint),
            "history": [e.model_dump(mode="json") for e in history],
            "sla": sla_now(desk, complaint, history, desk.clock.now()),
        }

    @app.post("/tick")
    def tick(desk: DeskDep) -> dict[str, Any]:
        """Record what time alone made due since the last tick."""
        return {"recorded": [e.model_dump(mode="json") for e in desk.tick()]}

    @app.get("/reports/{period}", response_model=None)
    def report(
        period: str,
        request: Request,
        desk: DeskDep,
        fmt: Annotated[Literal["json", "md", "html"], Query(alias="format")] = "json",
    ) -> dict[str, Any] | Response:
        """The information-sharing report of ``period`` (``2026-10``, ``2026-Q4``, ``2026-W40``)."""
        # imported here: the report's charts load matplotlib, which no other route needs
        from ccms.report import parse_period, render_html, render_markdown, report_from_store

        parse_period(period)  # a malformed label is a 422 before the store is read
        calendar: BusinessCalendar = request.app.state.calendar
        built = report_from_store(desk.store, period=period, zone=calendar.zone, calendar=calendar)
        if fmt == "md":
            return PlainTextResponse(render_markdown(built), media_type="text/markdown")
        if fmt == "html":
            return HTMLResponse(render_html(built))
        return built.to_dict()

    return app
