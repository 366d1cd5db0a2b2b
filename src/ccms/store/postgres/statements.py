"""The PostgreSQL store's statements, with its schema's name in them (built once per store)."""

from __future__ import annotations

from ccms.store.postgres.connection import _quoted

__all__: list[str] = []


class _Sql:
    """The store's statements, with its schema's name in them (built once per store)."""

    def __init__(self, schema: str) -> None:
        s = _quoted(schema)
        cast = "%s::text, %s::bigint, %s::bigint, %s::text"
        self.append_complaint = (
            f"CALL {s}.append_complaint({cast}, %s::text, %s::text, %s::text, %s::bigint, "
            "%s::bigint, %s::bigint, %b::text[], %s::bigint, %s::text, %s::text, %s::text, "
            "%b::text[], %b::text[], %s::text, %s::text, %s::text)"
        )
        self.append_records = (
            f"CALL {s}.append_records(%s::text, %s::text, %s::bigint, %s::text, %b::text[], "
            "%b::text[], %s::text)"
        )
        # The snapshots of a batch, as columns in the order of ccms.store.sql.snapshot_columns.
        self.insert_new = (
            f"INSERT INTO {s}.complaints (id, version, stage, department, handler, closed_us, "
            "due_us, wake_us, codes, received_us, customer_id, channel, body) "
            "SELECT t.id, t.version, t.stage, t.department, t.handler, t.closed_us, t.due_us, "
            "t.wake_us, string_to_array(t.codes, E'\\n'), t.received_us, t.customer_id, "
            "t.channel, t.body FROM unnest(%b::text[], %b::bigint[], %b::text[], %b::text[], "
            "%b::text[], %b::bigint[], %b::bigint[], %b::bigint[], %b::text[], %b::bigint[], "
            "%b::text[], %b::text[], %b::text[]) AS t(id, version, stage, department, handler, "
            "closed_us, due_us, wake_us, codes, received_us, customer_id, channel, body) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        # The batch's positions, last: the counter moved on by the whole batch, the events at
        # last - total + 1, ... in batch order; returns the first position.
        self.insert_new_events = (
            f"WITH p AS (UPDATE {s}.log_position SET last = last + %s RETURNING last - %s AS base), "
            f"e AS (INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body) "
            "SELECT p.base + t.n, 'complaint', t.id, t.version, t.idx, t.type, t.body FROM p, "
            "unnest(%b::text[], %b::bigint[], %b::integer[], %b::text[], %b::text[]) "
            "WITH ORDINALITY AS t(id, version, idx, type, body, n) RETURNING position) "
            "SELECT min(position) FROM e"
        )
        self.key = (
            f"SELECT kind, stream_id, first_version, last_version, snapshot, fingerprint "
            f"FROM {s}.idempotency WHERE key = %s"
        )
        self.key_events = (
            f"SELECT position, version, type, body FROM {s}.events WHERE kind = %s "
            "AND stream_id = %s AND version BETWEEN %s AND %s ORDER BY version, idx"
        )
        self.reschedule = (
            f"UPDATE {s}.complaints SET wake_us = %s WHERE id = %s AND version = %s::bigint"
        )
        self.save_customer = (
            f"INSERT INTO {s}.customers (id, body) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET body = excluded.body"
        )
        self.get_customer = f"SELECT body FROM {s}.customers WHERE id = %s"
        self.find = f"SELECT body FROM {s}.complaints WHERE id = %s"
        self.version = f"SELECT version FROM {s}.complaints WHERE id = %s"
        self.events = (
            f"SELECT type, body FROM {s}.events WHERE kind = 'complaint' AND stream_id = %s "
            "ORDER BY version, idx"
        )
        self.due = (
            f"SELECT id FROM {s}.complaints WHERE closed_us IS NULL AND wake_us IS NOT NULL "
            "AND wake_us <= %s ORDER BY wake_us, id LIMIT %s"
        )
        self.wake_at = f"SELECT wake_us FROM {s}.complaints WHERE id = %s"
        self.last_position = f"SELECT last FROM {s}.log_position"
        self.query = f"SELECT body FROM {s}.complaints"
        self.count = f"SELECT count(*) FROM {s}.complaints"
        self.open_load = (
            f"SELECT handler, count(*) FROM {s}.complaints "
            "WHERE handler IS NOT NULL AND closed_us IS NULL GROUP BY handler"
        )
        self.ids = f"SELECT seq, id FROM {s}.complaints WHERE seq > %s ORDER BY seq LIMIT %s"
        self.length = f"SELECT count(*) FROM {s}.complaints"
        self.log = (
            f"SELECT position, kind, stream_id, version, type, body FROM {s}.events "
            "WHERE position > %s{kinds} ORDER BY position LIMIT %s"
        )
        self.records = (
            f"SELECT version, type, body FROM {s}.events WHERE kind = %s AND stream_id = %s "
            "ORDER BY version"
        )
        self.stream_version = f"SELECT version FROM {s}.streams WHERE kind = %s AND id = %s"
        self.stream_ids = f"SELECT id FROM {s}.streams WHERE kind = %s ORDER BY seq"
        self.latest_records = (
            f"SELECT t.id, e.version, e.type, e.body FROM {s}.streams t JOIN {s}.events e "
            "ON e.kind = t.kind AND e.stream_id = t.id AND e.version = t.version AND e.idx = 0 "
            "WHERE t.kind = %s ORDER BY t.seq"
        )
        self.checkpoint = f"SELECT position, state FROM {s}.checkpoints WHERE name = %s"
        self.first_checkpoint = (
            f"INSERT INTO {s}.checkpoints AS c (name, position, state) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
            "state = excluded.state WHERE c.position = 0 RETURNING 1"
        )
        self.next_checkpoint = (
            f"UPDATE {s}.checkpoints SET position = %s, state = %s "
            "WHERE name = %s AND position = %s RETURNING 1"
        )
        self.checkpoint_position = f"SELECT position FROM {s}.checkpoints WHERE name = %s"
