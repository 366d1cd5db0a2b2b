"""Suite-wide settings: Hypothesis profiles.

- ``dev`` (default): quick, random; a counterexample found here becomes an explicit ``@example``.
- ``ci``: derandomized, so a landing never hangs on luck (``.ci/run`` selects it).
- ``heavy``: many more examples, for a deliberate long run: ``HYPOTHESIS_PROFILE=heavy make test``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("heavy", max_examples=1_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
