"""The FastAPI host example (examples/fastapi_host): its routes through FastAPI's test client,
the mapping of ccms errors to HTTP, and one run against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import doctest
import os
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette's notice about httpx, not ours to act on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from ccms.desk import ManualClock

HOST_DIR = Path(__file__).resolve().parents[2] / "examples" / "fastapi_host"
sys.path.insert(0, str(HOST_DIR))

from ccms_fastapi_host import create_app, errors  # noqa: E402
from ccms_fastapi_host.schemas import COMMANDS  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
MONDAY = datetime(2026, 10, 12, 9, 30, tzinfo=SEOUL)  # 5 October is a holiday

LATE = {
    "channel": "phone",
    "customer": {"id": "C-1"},
    "concerns": [{"kind": "complaint", "text": "the parcel is late again"}],
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def client(tmp_path: Path, clock: ManualClock) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "host.db", clock=clock)) as c:
        yield c


def fire(client: TestClient, cid: str, command: str, **fields: Any) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/complaints/{cid}/commands", json={"command": command, **fields}
    )
    return response


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_complaint_handled_end_to_end(client: TestClient, clock: ManualClock) -> None:
    created = client.post("/complaints", json=LATE)
    c = ok(created, 201)
    cid = c["id"]
    assert created.headers["location"] == f"/complaints/{cid}"
    assert created.headers["etag"] == '"1"'
    assert c["stage"] == "received"
    ok(fire(client, cid, "classify", codes=["DLV.LATE"]))
    assert ok(fire(client, cid, "assign_department"))["department"] == "cs"  # the fallback
    assert ok(fire(client, cid, "assign_handler"))["handler"] == "kim"  # least loaded
    clock.advance(timedelta(hours=1))
    ok(fire(client, cid, "start"))
    ok(fire(client, cid, "respond", channel="phone", note="called back"))
    ok(fire(client, cid, "register_result", result={"remedy": "apology", "cause": "courier"}))
    ok(fire(client, cid, "notify", channel="sms"))
    clock.advance(timedelta(days=1))
    ok(fire(client, cid, "record_feedback", feedback={"satisfied": True, "csat": 5}))
    closed = fire(client, cid, "close", expected_version=9)
    assert ok(closed)["stage"] == "closed"
    assert closed.headers["etag"] == '"10"'

    read = client.get(f"/complaints/{cid}")
    body = ok(read)
    assert read.headers["etag"] == '"10"'
    assert body["complaint"]["version"] == 10
    types = [e["type"] for e in body["history"]]
    assert types[0] == "received"
    assert types[-1] == "closed"
    assert "sla_applied" in types
    assert "responded" in types
    assert [e["version"] for e in body["history"]] == sorted(e["version"] for e in body["history"])
    first = body["sla"]["first_response"]
    assert first["status"] == "met"
    assert first["business"] is True
    assert body["sla"]["resolution"]["status"] == "met"

    report = ok(client.get("/reports/2026-10"))
    assert report["volume"]["total"] == 1
    markdown = client.get("/reports/2026-10", params={"format": "md"})
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "2026-10" in markdown.text


def test_the_sla_state_of_a_running_complaint(client: TestClient, clock: ManualClock) -> None:
    cid = ok(client.post("/complaints", json=LATE), 201)["id"]
    ok(fire(client, cid, "classify", codes=["DLV.LATE"]))
    clock.advance(timedelta(hours=2))
    sla = ok(client.get(f"/complaints/{cid}"))["sla"]
    first = sla["first_response"]
    assert first["status"] in {"running", "at_risk"}
    assert first["elapsed_seconds"] == pytest.approx(2 * 3600)
    assert first["remaining_seconds"] + first["elapsed_seconds"] > first["elapsed_seconds"]
    assert datetime.fromisoformat(first["due_at"]) > clock.now()


def test_contact_details_stay_in_the_store(client: TestClient, tmp_path: Path) -> None:
    body = {**LATE, "customer": {"id": "C-9", "name": "홍길동", "phone": "010-1234-5678"}}
    c = ok(client.post("/complaints", json=body), 201)
    assert c["customer"] == {"id": "C-9", "segment": "general", "region": None, "language": "ko"}
    stored = client.app.state.desk.store.get_customer("C-9")  # type: ignore[attr-defined]
    assert stored.phone.reveal() == "010-1234-5678"
    assert "010-1234" not in client.get(f"/complaints/{c['id']}").text


def test_bad_input_is_422_with_the_ccms_message(client: TestClient) -> None:
    bad_channel = client.post("/complaints", json={**LATE, "channel": "pigeon"})
    assert bad_channel.status_code == 422
    err = bad_channel.json()
    assert err["error"] == "InvalidInput"
    assert err["message"].startswith("invalid Receive: channel:")

    cid = ok(client.post("/complaints", json=LATE), 201)["id"]
    unknown = fire(client, cid, "classify", codes=["DLV.LAET"])
    assert unknown.status_code == 422
    assert unknown.json()["error"] == "UnknownVocCode"
    assert unknown.json()["code"] == "DLV.LAET"
    assert "unknown VOC code 'DLV.LAET'" in unknown.json()["message"]

    too_early = fire(client, cid, "start")
    assert too_early.status_code == 422
    err = too_early.json()
    assert err["error"] == "InvalidTransition"
    assert err["stage"] == "received"
    assert err["trigger"] == "start"
    assert "classify" in err["allowed"]
    assert err["message"].startswith(f"complaint {cid} in stage 'received' cannot fire 'start'")

    bad_customer = client.post("/complaints", json={**LATE, "customer": {"id": ""}})
    assert bad_customer.status_code == 422
    assert bad_customer.json()["error"] == "InvalidInput"

    no_such_command = fire(client, cid, "teleport")
    assert no_such_command.status_code == 422
    assert no_such_command.json()["message"].startswith("invalid request: body")

    # nothing of it was stored: the complaint is where it was
    assert ok(client.get(f"/complaints/{cid}"))["complaint"]["version"] == 1


def test_a_stale_version_is_409(client: TestClient) -> None:
    cid = ok(client.post("/complaints", json=LATE), 201)["id"]
    ok(fire(client, cid, "classify", codes=["DLV.LATE"], expected_version=1))
    stale = fire(client, cid, "assign_department", department="qa", expected_version=1)
    assert stale.status_code == 409
    err = stale.json()
    assert err["error"] == "ConcurrencyConflict"
    assert (err["expected"], err["actual"]) == (1, 2)
    assert ok(client.get(f"/complaints/{cid}"))["complaint"]["department"] is None


def test_idempotency_keys(client: TestClient) -> None:
    key = {"Idempotency-Key": "web-form-17"}
    first = ok(client.post("/complaints", json=LATE, headers=key), 201)
    again = ok(client.post("/complaints", json=LATE, headers=key), 201)
    assert again["id"] == first["id"]
    assert list(client.app.state.desk.store.ids()) == [first["id"]]  # type: ignore[attr-defined]

    other = ok(client.post("/complaints", json=LATE), 201)["id"]
    step = {"Idempotency-Key": "classify-1"}
    classify = {"command": "classify", "codes": ["DLV.LATE"]}
    url = f"/complaints/{first['id']}/commands"
    assert ok(client.post(url, json=classify, headers=step))["version"] == 2
    assert ok(client.post(url, json=classify, headers=step))["version"] == 2  # a retry
    reused = client.post(f"/complaints/{other}/commands", json=classify, headers=step)
    assert reused.status_code == 409
    assert reused.json()["error"] == "IdempotencyConflict"
    assert reused.json()["key"] == "classify-1"
    assert ok(client.get(f"/complaints/{other}"))["complaint"]["version"] == 1


def test_an_unknown_id_is_404(client: TestClient) -> None:
    missing = client.get("/complaints/01JNOSUCHCOMPLAINT0000000000")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "ComplaintNotFound",
        "message": "no complaint with id '01JNOSUCHCOMPLAINT0000000000' is stored",
        "complaint_id": "01JNOSUCHCOMPLAINT0000000000",
    }
    assert fire(client, "01JNOSUCHCOMPLAINT0000000000", "start").status_code == 404


def test_a_busy_store_is_503_with_retry_after(tmp_path: Path, clock: ManualClock) -> None:
    db = tmp_path / "busy.db"
    with TestClient(create_app(db, clock=clock, timeout=0.05)) as client:
        cid = ok(client.post("/complaints", json=LATE), 201)["id"]
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute("BEGIN EXCLUSIVE")
            busy = fire(client, cid, "classify", codes=["DLV.LATE"])
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == str(errors.RETRY_AFTER_SECONDS)
        assert busy.json()["error"] == "StoreBusy"
        assert "nothing was changed" in busy.json()["message"]
        # the retry the client was told to make goes through
        assert ok(fire(client, cid, "classify", codes=["DLV.LATE"]))["version"] == 2


def test_actor_headers_reach_the_workflow(client: TestClient) -> None:
    cid = ok(client.post("/complaints", json=LATE), 201)["id"]
    ok(fire(client, cid, "classify", codes=["DLV.LATE"]))
    refused = client.post(
        f"/complaints/{cid}/commands",
        json={"command": "close_cc_card"},
        headers={"X-Actor-Id": "kim", "X-Actor-Role": "handler"},
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"] == "NotPermitted"
    assert refused.json()["role"] == "handler"
    assert "supervisor" in refused.json()["roles"]
    supervisor = {"X-Actor-Id": "park", "X-Actor-Role": "supervisor"}
    escalated = client.post(
        f"/complaints/{cid}/commands",
        json={"command": "escalate", "level": 1, "reason": "asked for a manager"},
        headers=supervisor,
    )
    assert ok(escalated)["version"] == 3
    history = ok(client.get(f"/complaints/{cid}"))["history"]
    assert history[1]["actor"] == {"id": "system", "role": "system"}
    assert history[-1]["actor"] == {"id": "park", "role": "supervisor"}


def test_tick_and_report_errors(client: TestClient, clock: ManualClock) -> None:
    cid = ok(client.post("/complaints", json=LATE), 201)["id"]
    ok(fire(client, cid, "classify", codes=["DLV.LATE"]))
    clock.advance(timedelta(days=10))
    recorded = ok(client.post("/tick"))["recorded"]
    assert {e["complaint_id"] for e in recorded} == {cid}
    assert "sla_status_changed" in {e["type"] for e in recorded}
    assert ok(client.post("/tick"))["recorded"] == []  # idempotent

    bad = client.get("/reports/2026-13")
    assert bad.status_code == 422
    assert bad.json()["error"] == "InvalidInput"
    html = client.get("/reports/2026-10", params={"format": "html"})
    assert html.status_code == 200
    assert html.text.lstrip().lower().startswith("<!doctype html")


def test_every_command_of_the_desk_is_routed() -> None:
    from ccms.desk import Desk

    assert all(callable(getattr(Desk, name, None)) for name in COMMANDS)
    assert len(COMMANDS) == len(set(COMMANDS)) == 18


def test_the_error_module_doctests() -> None:
    assert doctest.testmod(errors, optionflags=doctest.ELLIPSIS).failed == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_against_a_real_uvicorn_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "CCMS_DB": str(tmp_path / "served.db")}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ccms_fastapi_host.app:create_app",
            "--factory",
            "--app-dir",
            str(HOST_DIR),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.communicate()[0].decode()
            try:
                httpx.get(f"{base}/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "uvicorn did not start within 60 s"
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as http:
            created = http.post("/complaints", json=LATE)
            assert created.status_code == 201, created.text
            cid = created.json()["id"]
            classified = http.post(
                f"/complaints/{cid}/commands", json={"command": "classify", "codes": ["DLV.LATE"]}
            )
            assert classified.status_code == 200
            assert classified.json()["version"] == 2
            read = http.get(f"/complaints/{cid}").json()
            types = [e["type"] for e in read["history"]]
            assert types[0] == "received"
            assert "classified" in types
            assert read["sla"]["first_response"]["status"] in {"running", "at_risk", "breached"}
            assert http.get("/complaints/nope").status_code == 404
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    assert (tmp_path / "served.db").is_file()
