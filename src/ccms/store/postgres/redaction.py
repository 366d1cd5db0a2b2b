"""Erasure and retention in the PostgreSQL store: personal data rewritten in place."""

from __future__ import annotations

from collections.abc import Sequence

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
)
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.codec import customer_json
from ccms.store.idempotency import neutralised
from ccms.store.postgres.connection import (
    _PostgresBase,
    _quoted,
)

__all__: list[str] = []


class _Redaction(_PostgresBase):
    """The redaction of :class:`~ccms.store.postgres.PostgresStore` (docs/privacy.md)."""

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place in one transaction (each complaint's row
        locked and its version checked first); see the port.

        The rows hold the new values at once; the old row versions stay in the table files as
        dead tuples until ``VACUUM`` reclaims them and later writes reuse the space (see
        ``docs/privacy.md``)."""
        from ccms.store.redaction import check_history, check_redaction, folded_at

        items, customer = check_redaction(complaints, customer)
        s = _quoted(self.schema)
        with self._connection() as conn:
            with conn.transaction():
                for snapshot, history in items:
                    cid = snapshot.id
                    row = conn.execute(
                        f"SELECT version FROM {s}.complaints WHERE id = %s FOR UPDATE", (cid,)
                    ).fetchone()
                    if row is None:
                        raise ComplaintNotFound(cid)
                    if int(row[0]) != snapshot.version:
                        raise ConcurrencyConflict(
                            cid, expected=snapshot.version, actual=int(row[0])
                        )
                    stored = conn.execute(
                        f"SELECT position, type, version FROM {s}.events "
                        "WHERE kind = 'complaint' AND stream_id = %s ORDER BY version, idx",
                        (cid,),
                    ).fetchall()
                    check_history(cid, [(t, int(v)) for _, t, v in stored], history)
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {s}.events SET body = %s WHERE position = %s",
                            [
                                (e.model_dump_json(), p)
                                for e, (p, _, _) in zip(history, stored, strict=True)
                            ],
                        )
                    conn.execute(
                        f"UPDATE {s}.complaints SET body = %s, customer_id = %s WHERE id = %s",
                        (snapshot.model_dump_json(), snapshot.customer.id, cid),
                    )
                    keys = conn.execute(
                        f"SELECT key, last_version, fingerprint FROM {s}.idempotency "
                        "WHERE kind = 'complaint' AND stream_id = %s AND snapshot IS NOT NULL",
                        (cid,),
                    ).fetchall()
                    for key, version, print_ in keys:
                        conn.execute(
                            f"UPDATE {s}.idempotency SET snapshot = %s, fingerprint = %s "
                            "WHERE key = %s",
                            (
                                folded_at(history, int(version)).model_dump_json(),
                                neutralised(print_),
                                key,
                            ),
                        )
                if customer is not None:
                    # The keys of the customer's complaints: their digests may cover the
                    # customer's contact details (a receive's does).
                    keys = conn.execute(
                        f"SELECT i.key, i.fingerprint FROM {s}.idempotency i JOIN "
                        f"{s}.complaints c ON c.id = i.stream_id WHERE i.kind = 'complaint' "
                        "AND c.customer_id = %s AND i.fingerprint IS NOT NULL",
                        (customer.id,),
                    ).fetchall()
                    for key, print_ in keys:
                        conn.execute(
                            f"UPDATE {s}.idempotency SET fingerprint = %s WHERE key = %s",
                            (neutralised(print_), key),
                        )
                    conn.execute(self._sql.save_customer, (customer.id, customer_json(customer)))
            self._durable(conn)
