"""Complaint ids: ULIDs, unique and sortable by the time they were made.

>>> from datetime import datetime, timezone
>>> import random
>>> a = new_complaint_id(datetime(2026, 10, 1, tzinfo=timezone.utc), random.Random(1))
>>> b = new_complaint_id(datetime(2026, 10, 2, tzinfo=timezone.utc), random.Random(1))
>>> len(a), a < b
(26, True)
"""

from __future__ import annotations

import os
import random
from datetime import datetime

from ulid import ULID

from ccms.errors import InvalidInput, require_aware

__all__ = ["new_complaint_id"]


def new_complaint_id(at: datetime, rng: random.Random | None = None) -> str:
    """A new ULID string for a complaint received at ``at``.

    Pass ``rng`` for reproducible ids (demos, tests); by default the random part is from the OS.
    """
    require_aware(at, "at")
    millis = int(at.timestamp() * 1000)
    if not 0 <= millis < 2**48:  # the id's clock: 1970 to the year 10889
        raise InvalidInput(
            f"cannot give an id to a complaint received at {at.isoformat()}: receipt times "
            "before 1970-01-01 UTC are out of range"
        )
    randomness = rng.randbytes(10) if rng is not None else os.urandom(10)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + randomness))
