"""The PostgreSQL server the tests use, for every test module that needs one (not a test module).

``CCMS_POSTGRES_URL`` names it (``scripts/postgres.sh start`` starts a throw-away cluster and
prints its URL). Without one the tests skip, saying how to get one; under
``CCMS_REQUIRE_POSTGRES=1`` (CI) they fail instead.
"""

from __future__ import annotations

import os

import pytest

__all__ = ["URL_VARIABLE", "postgres_url"]

URL_VARIABLE = "CCMS_POSTGRES_URL"


def postgres_url() -> str:
    """The server's URL once it answers, or a skip (a failure under ``CCMS_REQUIRE_POSTGRES=1``)."""
    url = os.environ.get(URL_VARIABLE)
    required = os.environ.get("CCMS_REQUIRE_POSTGRES") == "1"
    if not url:
        if required:
            pytest.fail(
                f"CCMS_REQUIRE_POSTGRES=1 but {URL_VARIABLE} is not set: "
                f'export {URL_VARIABLE}="$(scripts/postgres.sh start)"'
            )
        pytest.skip(
            f"no PostgreSQL server: set {URL_VARIABLE} (scripts/postgres.sh start starts one "
            "and prints its URL)"
        )
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.Error as err:
        message = f"{URL_VARIABLE}={url} is not reachable: {err}"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    return url
