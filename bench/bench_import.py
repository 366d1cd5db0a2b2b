"""CFPB import speed and memory: a generated CFPB-format file imported into an SQLite file.

Target (issue 13): at least 5,000 rows per second with memory flat in the row count. The file is
generated here (100,000 rows by default; ``--rows 1000000`` for the full run), with the export's
columns, quoted commas and newlines in a fifth of the narratives, empty optional fields, old
``M/D/YYYY`` dates on some rows and a few exact duplicates. Each import runs in a fresh process,
so its peak RSS (``VmHWM`` on Linux) is its own; a 10,000-row run is the baseline memory is
compared with. A bare loop (``csv.reader``, ``json.dumps``, one ``INSERT`` per row into SQLite
with the same durability) runs interleaved with each import of the same file, as the floor of
the job on this machine at this moment; the ratio ccms / bare is printed with the load average
(a shared machine slows both). Prints rows/s (median, min and max of ``--repeat`` runs) and peak
RSS per size, then MET or MISSED from this run's figures:

- speed: rows read per second of the largest run >= 5,000;
- memory: the largest run's peak RSS within 25% of the 10,000-row run's.

``python bench/bench_import.py [--rows N] [--repeat K] [--keep DIR]``;
``python bench/run.py import``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _figures import figure, peak_rss_mib, target

SPEED_TARGET = 5_000.0
MEMORY_SLACK = 1.25
BASELINE_ROWS = 10_000

HEADER = [
    "Date received",
    "Product",
    "Sub-product",
    "Issue",
    "Sub-issue",
    "Consumer complaint narrative",
    "Company public response",
    "Company",
    "State",
    "ZIP code",
    "Tags",
    "Consumer consent provided?",
    "Submitted via",
    "Date sent to company",
    "Company response to consumer",
    "Timely response?",
    "Consumer disputed?",
    "Complaint ID",
]

_PRODUCTS = {
    "Credit reporting, credit repair services, or other personal consumer reports": [
        (
            "Credit reporting",
            "Incorrect information on your report",
            "Information belongs to someone else",
        ),
        (
            "Credit reporting",
            "Problem with a credit reporting company's investigation into an existing problem",
            "Their investigation did not fix an error on your report",
        ),
        (
            "Credit reporting",
            "Improper use of your report",
            "Reporting company used your report improperly",
        ),
    ],
    "Debt collection": [
        ("Credit card debt", "Attempts to collect debt not owed", "Debt is not yours"),
        (
            "Medical debt",
            "Written notification about debt",
            "Didn't receive enough information to verify debt",
        ),
    ],
    "Mortgage": [
        ("Conventional home mortgage", "Trouble during payment process", ""),
        ("FHA mortgage", "Struggling to pay mortgage", ""),
    ],
    "Checking or savings account": [
        ("Checking account", "Managing an account", "Deposits and withdrawals"),
        ("Savings account", "Closing an account", "Company closed your account"),
    ],
    "Credit card or prepaid card": [
        (
            "General-purpose credit card or charge card",
            "Problem with a purchase shown on your statement",
            "Credit card company isn't resolving a dispute about a purchase on your statement",
        ),
    ],
    "Student loan": [
        ("Federal student loan servicing", "Dealing with your lender or servicer", "")
    ],
    "Vehicle loan or lease": [("Loan", "Managing the loan or lease", "")],
}
_COMPANIES = [
    "EQUIFAX, INC.",
    "Experian Information Solutions Inc.",
    "TRANSUNION INTERMEDIATE HOLDINGS, INC.",
    "BANK OF AMERICA, NATIONAL ASSOCIATION",
    "WELLS FARGO & COMPANY",
    "JPMORGAN CHASE & CO.",
    "CAPITAL ONE FINANCIAL CORPORATION",
    "Navient Solutions, LLC.",
]
_STATES = ["CA", "FL", "TX", "NY", "GA", "IL", "PA", "NC", "OH", "NJ", ""]
_VIA = ["Web"] * 16 + ["Referral", "Phone", "Postal mail", "Fax", "Email", "Web Referral"]
_RESPONSES = (
    ["Closed with explanation"] * 14
    + ["Closed with non-monetary relief"] * 3
    + ["Closed with monetary relief", "In progress", "Untimely response", "Closed"]
)
_WORDS = [
    "account",
    "payment",
    "report",
    "credit",
    "bank",
    "loan",
    "fee",
    "charged",
    "late",
    "interest",
    "balance",
    "dispute",
    "called",
    "told",
    "letter",
    "never",
    "received",
    "refund",
    "error",
    "information",
    "company",
    "months",
    "again",
    "please",
    "help",
]


def _narrative(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(30, 180))
    text = " ".join(words)
    if rng.random() < 0.2:
        text = (
            text.replace(" told ", ", told me, ", 1) + "\nI called again on XX/XX/XXXX, and again."
        )
    return text.capitalize() + "."


def generate(path: Path, rows: int, seed: int = 13) -> None:
    """Write a CFPB-format CSV of ``rows`` rows (about 1% exact duplicates)."""
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    products = list(_PRODUCTS)
    previous: list[str] | None = None
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(rows):
            if previous is not None and rng.random() < 0.01:
                writer.writerow(previous)
                continue
            product = rng.choice(products)
            sub_product, issue, sub_issue = rng.choice(_PRODUCTS[product])
            received = start + timedelta(days=rng.randrange(5 * 365))
            sent = received + timedelta(days=rng.choice((0, 0, 0, 1, 2, 5)))
            old = rng.random() < 0.1
            fmt = "{d.month}/{d.day}/{d.year}" if old else "{d:%Y-%m-%d}"
            narrative = _narrative(rng) if rng.random() < 0.4 else ""
            response = rng.choice(_RESPONSES)
            row = [
                fmt.format(d=received),
                product,
                sub_product,
                issue,
                sub_issue,
                narrative,
                rng.choice(
                    [
                        "Company has responded to the consumer and the CFPB and chooses not to provide a public response",
                        "",
                    ]
                ),
                rng.choice(_COMPANIES),
                rng.choice(_STATES),
                f"{rng.randrange(10000, 99999)}" if rng.random() < 0.9 else "",
                rng.choice(
                    [
                        "",
                        "",
                        "",
                        "",
                        "Older American",
                        "Servicemember",
                        "Older American, Servicemember",
                    ]
                ),
                "Consent provided"
                if narrative
                else rng.choice(["Consent not provided", "", "N/A"]),
                rng.choice(_VIA),
                fmt.format(d=sent),
                response,
                "Yes" if rng.random() < 0.97 else "No",
                rng.choice(["N/A", "N/A", "No", "Yes"]) if old else "N/A",
                str(1_000_000 + i),
            ]
            writer.writerow(row)
            previous = row


def child(csv_path: str, db_path: str) -> None:
    """Import ``csv_path`` into a new SQLite file; print the figures as JSON."""
    from ccms.interop.cfpb import import_cfpb
    from ccms.store import SQLiteStore

    as_of = datetime(2026, 1, 1, tzinfo=UTC)
    with SQLiteStore(db_path) as store:
        began = time.perf_counter()
        report = import_cfpb(store, csv_path, as_of=as_of)
        seconds = time.perf_counter() - began
    print(
        json.dumps(
            {
                "rows": report.rows_read,
                "imported": report.imported,
                "rejected": report.rejected,
                "duplicates": report.duplicates,
                "adds_up": report.adds_up,
                "seconds": seconds,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def bare_child(csv_path: str, db_path: str) -> None:
    """The floor of the same job without ccms: ``csv.reader``, one ``json.dumps`` of the row
    and one ``INSERT OR IGNORE`` (by Complaint ID) per row, 1,000 rows a transaction, into an
    SQLite file in WAL mode with ``synchronous=FULL`` (what ``SQLiteStore`` uses by default)."""
    import sqlite3

    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    began = time.perf_counter()
    rows = imported = 0
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        key = header.index("Complaint ID")
        batch: list[tuple[str, str]] = []

        def flush() -> int:
            conn.execute("BEGIN IMMEDIATE")
            before = conn.total_changes
            conn.executemany("INSERT OR IGNORE INTO rows VALUES (?, ?)", batch)
            conn.execute("COMMIT")
            batch.clear()
            return conn.total_changes - before

        for row in reader:
            rows += 1
            batch.append((row[key], json.dumps(dict(zip(header, row, strict=False)))))
            if len(batch) >= 1000:
                imported += flush()
        if batch:
            imported += flush()
    seconds = time.perf_counter() - began
    conn.close()
    print(
        json.dumps(
            {
                "rows": rows,
                "imported": imported,
                "seconds": seconds,
                "peak_rss_mib": peak_rss_mib(),
            }
        )
    )


def _one(mode: str, csv_path: Path, db_path: Path) -> dict[str, float]:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, __file__, mode, str(csv_path), str(db_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rate"] = figures["rows"] / figures["seconds"]
    return figures


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def _run(folder: Path, rows: int, repeat: int) -> dict[str, float]:
    """Import the ``rows``-row file ``repeat`` times with ccms and as many with the bare loop,
    interleaved; the ccms figures (median rate, the largest peak RSS) and the ratio."""
    csv_path = folder / f"cfpb-{rows}.csv"
    began = time.perf_counter()
    generate(csv_path, rows)
    made = time.perf_counter() - began
    size = csv_path.stat().st_size / 1e6
    print(f"  generated {rows:,} rows ({size:,.0f} MB) in {made:,.1f} s; {_load()}", flush=True)
    ccms: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    for _ in range(repeat):
        ccms.append(_one("--child", csv_path, folder / f"cfpb-{rows}.db"))
        bare.append(_one("--bare", csv_path, folder / f"bare-{rows}.db"))
    last = ccms[-1]
    c_rates = [f["rate"] for f in ccms]
    b_rates = [f["rate"] for f in bare]
    c_med, b_med = statistics.median(c_rates), statistics.median(b_rates)
    peak = max(f["peak_rss_mib"] for f in ccms)
    print(
        f"  {rows:>9,} rows, ccms: {c_med:>7,.0f} rows/s (min {min(c_rates):,.0f}, max "
        f"{max(c_rates):,.0f}; {len(ccms)} runs), peak RSS {peak:,.1f} MiB; imported "
        f"{last['imported']:,.0f}, rejected {last['rejected']:,.0f}, duplicates "
        f"{last['duplicates']:,.0f}, adds up: {bool(last['adds_up'])}",
        flush=True,
    )
    print(
        f"  {rows:>9,} rows, bare csv -> json -> sqlite loop: {b_med:>7,.0f} rows/s (min "
        f"{min(b_rates):,.0f}, max {max(b_rates):,.0f}); ccms / bare = {c_med / b_med:.3f}; "
        f"{_load()}",
        flush=True,
    )
    figure(f"ccms import, {rows:,} rows", (c_med, min(c_rates), max(c_rates)), "rows/s",
           compares="import_history of a CFPB file into SQLite, fresh process",
           peak_rss_mib=peak, load=_load())  # fmt: skip
    figure(f"bare csv -> json -> sqlite, {rows:,} rows", (b_med, min(b_rates), max(b_rates)),
           "rows/s", compares="the floor: csv.reader, json.dumps, one INSERT a row")  # fmt: skip
    figure(f"ccms / bare, {rows:,} rows", c_med / b_med, "x")
    return {"rate": c_med, "peak_rss_mib": peak, "bare": b_med}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the largest run")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each contender per size")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the files (kept)")
    parser.add_argument("--child", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=2, metavar=("CSV", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args([] if argv is None else argv)
    if args.child:
        child(*args.child)
        return
    if args.bare:
        bare_child(*args.bare)
        return
    sizes = sorted({BASELINE_ROWS, 100_000, args.rows} - {0})
    sizes = [s for s in sizes if s <= max(args.rows, BASELINE_ROWS)]
    print(
        f"CFPB import into an SQLite file (WAL, synchronous=FULL); sizes "
        f"{', '.join(f'{s:,}' for s in sizes)}; {max(args.repeat, 1)} run(s) of each contender"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = {rows: _run(folder, rows, max(args.repeat, 1)) for rows in sizes}
    largest = results[max(results)]
    base = results[min(results)]
    target(f"import speed at {max(results):,} rows", largest["rate"], ">=", SPEED_TARGET,
           unit=" rows/s", compares="median ccms rows/s of the largest run")  # fmt: skip
    print(
        f"  (peak RSS {largest['peak_rss_mib']:,.1f} MiB at {max(results):,} rows vs "
        f"{base['peak_rss_mib']:,.1f} MiB at {min(results):,})"
    )
    target(f"import memory {max(results):,} / {min(results):,} rows",
           largest["peak_rss_mib"] / base["peak_rss_mib"], "<=", MEMORY_SLACK,
           compares="peak RSS of the largest run over the 10,000-row run's")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
