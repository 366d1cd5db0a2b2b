"""``ccms db upgrade``: bring a store's schema up to this ccms's version.

``--url`` is an SQLite file (a path, or ``sqlite:///relative/path`` and
``sqlite:////absolute/path`` as SQLAlchemy writes them) or a PostgreSQL URL
(``postgresql://user@host/db``, with ``?schema=NAME`` for a schema other than ``public``). The
versioned migrations run in one transaction; the command prints the version found and the
version now. A file that is not a ccms store is refused and left as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs
import typer

from ccms.cli._console import make_console

__all__ = ["Target", "db_app", "parse_url", "upgrade"]

db_app = typer.Typer(
    name="db",
    help="Store schema maintenance (SQLite files and PostgreSQL databases).",
    no_args_is_help=True,
    add_completion=False,
)
console = make_console()

_POSTGRES = ("postgresql", "postgres")
BAD_URL = (
    "cannot read store URL {url!r}: give an SQLite file (ccms.db, sqlite:///path/ccms.db) or "
    "a PostgreSQL URL (postgresql://user@host/db)"
)


@attrs.frozen
class Target:
    """A store to upgrade: ``kind`` ``sqlite`` (``where`` is the file) or ``postgresql``
    (``where`` is the connection URL without ``schema``)."""

    kind: str
    where: str
    schema: str = "public"

    @property
    def shown(self) -> str:
        """Where, with any password in the URL masked."""
        if self.kind == "sqlite":
            return self.where
        parts = urlsplit(self.where)
        if parts.password is None:
            return self.where
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))


def parse_url(url: str) -> Target:
    """The store ``url`` names.

    >>> parse_url("sqlite:///data/ccms.db"), parse_url("sqlite:////srv/ccms.db").where
    (Target(kind='sqlite', where='data/ccms.db', schema='public'), '/srv/ccms.db')
    >>> parse_url("ccms.db").where
    'ccms.db'
    >>> t = parse_url("postgresql://ccms:secret@db/ccms?schema=voc")
    >>> t.kind, t.schema, t.shown
    ('postgresql', 'voc', 'postgresql://ccms:***@db/ccms')
    """
    from ccms.errors import InvalidInput

    text = url.strip()
    if not text:
        raise InvalidInput(BAD_URL.format(url=url))
    scheme, sep, rest = text.partition("://")
    if not sep:
        return Target("sqlite", text)
    scheme = scheme.lower()
    if scheme == "sqlite":
        # as SQLAlchemy reads it: sqlite:///ccms.db is ccms.db, sqlite:////srv/ccms.db /srv/ccms.db
        path = rest[1:] if rest.startswith("/") else rest
        if not path.strip("/"):
            raise InvalidInput(BAD_URL.format(url=url))
        return Target("sqlite", path)
    if scheme in _POSTGRES:
        parts = urlsplit(text)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = next((v for k, v in query if k == "schema"), "public") or "public"
        rest_query = urlencode([(k, v) for k, v in query if k != "schema"])
        return Target("postgresql", urlunsplit(parts._replace(query=rest_query)), schema)
    raise InvalidInput(BAD_URL.format(url=url))


def _sqlite_version(path: Path) -> int:
    """The file's ``user_version``, read without writing (0 for a file that does not exist)."""
    if not path.exists():
        return 0
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        (found,) = conn.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError:
        return 0  # not SQLite at all: SQLiteStore says so, and writes nothing
    finally:
        conn.close()
    return int(found)


def upgrade_target(target: Target) -> tuple[int, int]:
    """Run the migrations of ``target``; ``(version found, version now)``."""
    if target.kind == "sqlite":
        from ccms.store import SQLiteStore
        from ccms.store.sqlite import SCHEMA_VERSION

        path = Path(target.where)
        found = _sqlite_version(path)
        with SQLiteStore(path):
            pass  # opening a writable store checks the file, then migrates it
        return found, SCHEMA_VERSION
    from ccms.store.postgres import SCHEMA_VERSION as PG_VERSION
    from ccms.store.postgres import migrate

    return migrate(target.where, schema=target.schema), PG_VERSION


@db_app.command("upgrade")
def upgrade(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            help="The store: an SQLite file (path or sqlite:///path) or a PostgreSQL URL "
            "(postgresql://user@host/db[?schema=NAME]).",
        ),
    ],
) -> None:
    """Create or upgrade a store's schema by its versioned migrations; print from/to versions."""
    from ccms.errors import CCMSError

    try:
        target = parse_url(url)
        found, now = upgrade_target(target)
    except CCMSError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    where = f"{target.shown}" + (
        f" (schema {target.schema})" if target.kind == "postgresql" else ""
    )
    if found == now:
        console.print(f"{where}: already at schema version {now}", highlight=False)
    elif found == 0:
        console.print(f"{where}: created at schema version {now} (from 0)", highlight=False)
    else:
        console.print(f"{where}: upgraded from schema version {found} to {now}", highlight=False)
