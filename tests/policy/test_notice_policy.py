"""``NoticePolicy``: templates by event, channels, and the retry schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ccms.errors import PolicyError
from ccms.model import Channel
from ccms.policy.notify import DEFAULT_NOTICES, NoticePolicy


def test_the_default_tells_the_six_stage_changes_and_the_resolution_at_risk() -> None:
    policy = NoticePolicy()
    assert dict(policy.on) == dict(DEFAULT_NOTICES)
    assert policy.progress_on == frozenset({"resolution"})
    assert policy.template_for("closed") == "closing"
    assert policy.template_for("responded") is None
    assert NoticePolicy(progress_on="first_response").progress_on == frozenset({"first_response"})


def test_channels_map_the_incoming_channel_and_are_checked() -> None:
    policy = NoticePolicy(channels={"phone": "sms", Channel.VISIT: "email"})
    assert policy.channel_for("visit") is Channel.EMAIL
    assert policy.channel_for(Channel.WEB) is Channel.WEB
    with pytest.raises(PolicyError, match=r"NoticePolicy\.channels"):
        NoticePolicy(channels={"phone": "pigeon"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_attempts", 0),
        ("max_attempts", 101),
        ("max_attempts", True),
        ("backoff", timedelta(0)),
        ("max_backoff", timedelta(seconds=-1)),
        ("backoff_factor", 0.5),
    ],
)
def test_bad_retry_settings_are_refused(field: str, value: object) -> None:
    with pytest.raises(PolicyError, match=rf"NoticePolicy\.{field}"):
        NoticePolicy(**{field: value})  # type: ignore[arg-type]


@example(base=1, factor=3.0, cap=1, attempt=30)  # 3**29 seconds overflowed a timedelta
@example(base=1, factor=2.0, cap=60, attempt=10_000)  # 2.0**9999 overflows a float
@given(
    base=st.integers(1, 600),
    factor=st.floats(1, 4),
    cap=st.integers(1, 10_000),
    attempt=st.integers(1, 30),
)
def test_the_backoff_grows_and_never_passes_its_cap(
    base: int, factor: float, cap: int, attempt: int
) -> None:
    policy = NoticePolicy(
        backoff=timedelta(seconds=base),
        backoff_factor=factor,
        max_backoff=timedelta(seconds=cap),
    )
    delay = policy.retry_delay(attempt)
    assert timedelta(0) < delay <= max(timedelta(seconds=cap), timedelta(0))
    assert policy.retry_delay(attempt + 1) >= delay
    assert policy.retry_delay(1) == min(timedelta(seconds=base), timedelta(seconds=cap))
