"""JSON of models is byte-stable: sets are written sorted, whatever the process' hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from ccms.testing.store_contract import rich_history

_DUMP = (
    "from ccms.testing.store_contract import rich_history;"
    "print(rich_history()[-1][0].model_dump_json())"
)


@given(st.frozensets(st.text("abcdefghij", min_size=1, max_size=6), max_size=8))
def test_tags_are_written_sorted(tags: frozenset[str]) -> None:
    complaint = rich_history()[0][0].model_copy(update={"tags": tags})
    assert json.loads(complaint.model_dump_json())["tags"] == sorted(tags)


def test_the_same_complaint_gives_the_same_bytes_in_every_process() -> None:
    outputs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _DUMP], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
