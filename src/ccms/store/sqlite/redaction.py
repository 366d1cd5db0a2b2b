"""Erasure and retention in the SQLite store: personal data rewritten in place."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
)
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.codec import customer_json
from ccms.store.idempotency import neutralised
from ccms.store.sqlite.connection import _SQLiteBase
from ccms.store.sqlite.statements import _SAVE_CUSTOMER

__all__: list[str] = []


class _Redaction(_SQLiteBase):
    """The redaction of :class:`~ccms.store.SQLiteStore` (docs/privacy.md)."""

    #: A complaint's stored events (position, type, version), newest first, along the chain.
    _REDACT_CHAIN = """
    WITH RECURSIVE chain(position, type, version, next) AS (
        SELECT e.position, e.type, e.version, COALESCE(e.prev, e.position - 1)
        FROM complaints c JOIN events e ON e.position = c.last_pos WHERE c.id = ?
        UNION ALL
        SELECT e.position, e.type, e.version, COALESCE(e.prev, e.position - 1)
        FROM chain JOIN events e ON e.position = chain.next
    )
    SELECT position, type, version FROM chain
    """

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place in one ``BEGIN IMMEDIATE`` transaction, with
        ``secure_delete`` on (the replaced rows' bytes are overwritten with zeros), then
        checkpoint the WAL (``TRUNCATE``: the log's old page images go too); see the port.

        Older copies in free pages, left by writes made before with ``secure_delete`` off
        (each append rewrites the snapshot), stay until ``VACUUM``: run it after an erasure
        (see ``docs/privacy.md``)."""

        from ccms.store.redaction import check_history, check_redaction, folded_at

        self._writable("redact")
        items, customer = check_redaction(complaints, customer)
        prepared = [
            (snapshot, history, snapshot.model_dump_json(), [e.model_dump_json() for e in history])
            for snapshot, history in items
        ]
        body = None if customer is None else customer_json(customer)
        with self._lock:
            conn = self._db()
            (secure,) = conn.execute("PRAGMA secure_delete").fetchone()
            conn.execute("PRAGMA secure_delete = ON")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for snapshot, history, snapshot_json, bodies in prepared:
                        cid = snapshot.id
                        row = conn.execute(
                            "SELECT version FROM complaints WHERE id = ?", (cid,)
                        ).fetchone()
                        if row is None:
                            raise ComplaintNotFound(cid)
                        if row[0] != snapshot.version:
                            raise ConcurrencyConflict(
                                cid, expected=snapshot.version, actual=int(row[0])
                            )
                        stored = sorted(conn.execute(self._REDACT_CHAIN, (cid,)).fetchall())
                        check_history(cid, [(t, int(v)) for _, t, v in stored], history)
                        for b, (p, _, _) in zip(bodies, stored, strict=True):
                            conn.execute("UPDATE events SET body = ? WHERE position = ?", (b, p))
                        conn.execute(
                            "UPDATE complaints SET body = ?, customer_id = ? WHERE id = ?",
                            (snapshot_json, snapshot.customer.id, cid),
                        )
                        keys = conn.execute(
                            "SELECT key, version, fingerprint FROM idempotency "
                            "WHERE stream_id = ? AND kind IS NULL",
                            (cid,),
                        ).fetchall()
                        for key, version, print_ in keys:
                            conn.execute(
                                "UPDATE idempotency SET snapshot = ?, fingerprint = ? WHERE key = ?",
                                (
                                    folded_at(history, int(version)).model_dump_json(),
                                    neutralised(print_),
                                    key,
                                ),
                            )
                        self._rows.pop(cid, None)
                    if customer is not None:
                        # The keys of the customer's complaints: their digests may cover the
                        # customer's contact details (a receive's does).
                        keys = conn.execute(
                            "SELECT i.key, i.fingerprint FROM idempotency i JOIN complaints c "
                            "ON c.id = i.stream_id WHERE i.kind IS NULL AND c.customer_id = ? "
                            "AND i.fingerprint IS NOT NULL",
                            (customer.id,),
                        ).fetchall()
                        for key, print_ in keys:
                            conn.execute(
                                "UPDATE idempotency SET fingerprint = ? WHERE key = ?",
                                (neutralised(print_), key),
                            )
                        conn.execute(_SAVE_CUSTOMER, (customer.id, body))
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                conn.execute(f"PRAGMA secure_delete = {int(secure)}")
            if self.path != ":memory:" and not self.path.startswith("file::memory:"):
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy:  # a reader holds the log: its old pages go at the next checkpoint
                    logging.getLogger("ccms.store").warning(
                        "%r: the WAL checkpoint after a redaction was blocked by a reader; "
                        "the replaced bytes leave the -wal file at the next checkpoint",
                        self,
                    )
