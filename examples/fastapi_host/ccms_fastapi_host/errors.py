"""ccms errors as HTTP responses.

Every ccms error carries its facts as attributes and a message that says what was wrong and
what would have been allowed; the API passes both on. The body is always
``{"error": <class name>, "message": <the ccms message>, ...facts}``.

| ccms error | status |
|---|---|
| ``ComplaintNotFound`` | 404 |
| ``ConcurrencyConflict`` (a stale ``expected_version``), ``IdempotencyConflict``, ``DuplicateComplaint`` | 409 |
| ``StoreBusy`` | 503 with ``Retry-After`` |
| ``NotPermitted`` | 403 |
| ``InvalidInput`` (and its kinds: unknown VOC code, naive datetime, ...), ``InvalidTransition``, ``GuardRejected``, ``NoDecision``, a model's ``ValidationError``, a malformed body | 422 |
| any other ``CCMSError`` | 400 |
"""

from __future__ import annotations

from typing import Any

import pydantic
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from ccms.desk import NoDecision
from ccms.errors import (
    CCMSError,
    ComplaintNotFound,
    ConcurrencyConflict,
    DuplicateComplaint,
    IdempotencyConflict,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    StoreBusy,
)

__all__ = ["RETRY_AFTER_SECONDS", "install", "status_of"]

#: What a client is told to wait before retrying a command refused by a busy store.
RETRY_AFTER_SECONDS = 1

_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ComplaintNotFound, 404),
    (ConcurrencyConflict, 409),
    (IdempotencyConflict, 409),
    (DuplicateComplaint, 409),
    (StoreBusy, 503),
    (NotPermitted, 403),
    (InvalidTransition, 422),
    (InvalidInput, 422),
    (NoDecision, 422),
)

# the typed facts worth a client's while, when the error has them
_FACTS = (
    "complaint_id",
    "stage",
    "trigger",
    "allowed",
    "guard",
    "reason",
    "role",
    "roles",
    "expected",
    "actual",
    "key",
    "code",
    "known",
    "what",
    "reasons",
    "operation",
)


def status_of(exc: CCMSError) -> int:
    """The HTTP status of a ccms error (the first matching row of the table above).

    >>> from ccms.errors import ComplaintNotFound, ConcurrencyConflict
    >>> status_of(ComplaintNotFound("01J...")), status_of(ConcurrencyConflict("c", expected=1, actual=2))
    (404, 409)
    """
    return next((status for kind, status in _STATUS if isinstance(exc, kind)), 400)


def _body(exc: CCMSError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
    for fact in _FACTS:
        value = getattr(exc, fact, None)
        if isinstance(value, str | int | tuple) and not isinstance(value, bool):
            body[fact] = list(value) if isinstance(value, tuple) else value
    return body


async def _ccms_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CCMSError)
    status = status_of(exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    return JSONResponse(_body(exc), status_code=status, headers=headers)


async def _model_error(request: Request, exc: Exception) -> JSONResponse:
    # a ccms model refused a value the host built from the body (a customer, say); ccms models
    # hide their input in errors, so the message holds no personal data
    assert isinstance(exc, pydantic.ValidationError)
    return JSONResponse({"error": "InvalidInput", "message": str(exc)}, status_code=422)


async def _request_error(request: Request, exc: Exception) -> JSONResponse:
    # the body does not have the shape of any request (FastAPI's own check); its input is left
    # out for the same reason
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return JSONResponse(
        {"error": "InvalidInput", "message": f"invalid request: {problems}"}, status_code=422
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(CCMSError, _ccms_error)
    app.add_exception_handler(pydantic.ValidationError, _model_error)
    app.add_exception_handler(RequestValidationError, _request_error)
