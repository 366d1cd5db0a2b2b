"""``ccms classify``: train, evaluate and use a VOC code classifier on labelled texts: a CSV
(``--csv FILE --text COLUMN --label COLUMN``) or a store's classified complaints (``--store``)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import typer

from ccms.errors import CCMSError

if TYPE_CHECKING:
    from ccms.classify import LabelledConcerns

__all__ = ["classify_app"]

classify_app = typer.Typer(
    help="Suggest VOC codes from free text: train, evaluate (beside baselines), predict.",
    no_args_is_help=True,
)

CsvOpt = Annotated[
    Path | None, typer.Option("--csv", help="A CSV file with a header row.", exists=True)
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="A SQLite complaint store (read-only): its classified concerns are the labelled texts.",
        exists=True,
    ),
]
TextOpt = Annotated[
    str | None, typer.Option("--text", help="The CSV column holding the customer's words.")
]
LabelOpt = Annotated[
    str | None, typer.Option("--label", help="The CSV column holding the label (VOC code).")
]
TaxonomyOpt = Annotated[
    Path | None,
    typer.Option("--taxonomy", help="Taxonomy file; by default one of the labels' codes."),
]


@attrs.frozen(slots=True, kw_only=True)
class _Labelled:
    texts: list[str]
    labels: list[str]
    times: list[datetime] | None = None
    history: LabelledConcerns | None = None  # from a store


def _read(
    path: Path,
    text: str,
    label: str | None,
    *,
    time: str | None = None,
    zone: tzinfo = UTC,
    limit: int | None = None,
) -> _Labelled:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        for column in (text, label, time):
            if column is not None and column not in fields:
                raise typer.BadParameter(
                    f"{path} has no column {column!r}; its columns: {', '.join(fields)}"
                )
        texts: list[str] = []
        labels: list[str] = []
        times: list[datetime] = []
        for number, row in enumerate(reader, start=2):
            words = (row.get(text) or "").strip()
            tag = (row.get(label) or "").strip() if label else ""
            if not words or (label is not None and not tag):
                continue
            if time is not None:
                times.append(_when(row.get(time) or "", zone, f"{path} line {number}"))
            texts.append(words)
            labels.append(tag)
            if limit is not None and len(texts) >= limit:
                break
    return _Labelled(texts=texts, labels=labels, times=times if time is not None else None)


def _when(value: str, zone: tzinfo, where: str) -> datetime:
    """A CSV time: ISO 8601 (a date, or a date and time); without an offset, in ``zone``."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            parsed = datetime.strptime(value.strip(), "%m/%d/%Y")  # CFPB's older exports
        except ValueError:
            raise typer.BadParameter(
                f"{where}: {value!r} is not a date (YYYY-MM-DD, an ISO 8601 time or MM/DD/YYYY)"
            ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _from_store(path: Path) -> _Labelled:
    from ccms.classify import labelled_concerns
    from ccms.store import SQLiteStore

    with SQLiteStore(path, read_only=True) as store:
        data = labelled_concerns(store.query(), events_of=store.events)
    return _Labelled(
        texts=list(data.texts),
        labels=list(data.codes),
        times=list(data.received_at),
        history=data,
    )


def _source(
    csv_file: Path | None,
    store: Path | None,
    text: str | None,
    label: str | None,
    **csv_options: Any,
) -> _Labelled:
    if (csv_file is None) == (store is None):
        raise typer.BadParameter("give one source: --csv FILE (with --text and --label) or --store")
    if store is not None:
        if text is not None or label is not None:
            raise typer.BadParameter(
                "--store reads the concerns' texts and codes: drop --text/--label"
            )
        return _from_store(store)
    if text is None or label is None:
        raise typer.BadParameter("--csv needs --text COLUMN and --label COLUMN")
    assert csv_file is not None
    return _read(csv_file, text, label, **csv_options)


def _fail(exc: CCMSError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@classify_app.command()
def train(
    model: Annotated[Path, typer.Option("--model", help="Where to write the trained classifier.")],
    csv_file: CsvOpt = None,
    text: TextOpt = None,
    label: LabelOpt = None,
    store: StoreOpt = None,
    taxonomy: TaxonomyOpt = None,
) -> None:
    """Train a code classifier on a CSV's texts and labels, or on a store's classified concerns
    (code, kind and severity), and save it."""
    from ccms.classify import VocClassifier, taxonomy_of_codes, train_from_complaints
    from ccms.model import Taxonomy

    try:
        data = _source(csv_file, store, text, label)
        tax = Taxonomy.from_file(taxonomy) if taxonomy else taxonomy_of_codes(data.labels)
        if data.history is not None:
            clf = train_from_complaints(data.history, taxonomy=tax)
        else:
            clf = VocClassifier.train(data.texts, data.labels, taxonomy=tax)
        clf.save(model)
    except CCMSError as exc:
        _fail(exc)
    what = ", ".join(n for n in ("code", "kind", "severity") if getattr(clf, n) is not None)
    typer.echo(
        f"trained on {len(data.texts)} texts, {len(set(data.labels))} codes ({what}; "
        f"C={clf.code.chosen_c:g}, {clf.model_version}): {model}"
    )
    if data.history is not None:
        h = data.history
        typer.echo(
            f"from {h.complaints} complaints; left out: {h.unclassified} concerns with no code, "
            f"{h.without_text} without words, {h.machine_labelled} a model's unconfirmed code"
        )


@classify_app.command()
def evaluate(
    csv_file: CsvOpt = None,
    text: TextOpt = None,
    label: LabelOpt = None,
    store: StoreOpt = None,
    time: Annotated[
        str | None,
        typer.Option(
            "--time",
            help="The CSV column of each text's date or time: adds a time-based split "
            "(a store's received times are used without it).",
        ),
    ] = None,
    zone: Annotated[
        str, typer.Option("--tz", help="The zone of --time values given without an offset.")
    ] = "UTC",
    limit: Annotated[
        int | None, typer.Option("--limit", min=2, help="Read at most this many CSV rows.")
    ] = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Stratified folds.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    sklearn_baseline: Annotated[
        bool, typer.Option(help="Also evaluate the tuned scikit-learn baseline on the same folds.")
    ] = True,
) -> None:
    """Cross-validate on a CSV or a store: accuracy, macro-F1, top-3, calibration, beside the
    baselines (and a time-based split, given times)."""
    from ccms.classify import evaluate as run

    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(f"{zone!r} is not a time zone (e.g. UTC, Asia/Seoul)") from None
    try:
        data = _source(csv_file, store, text, label, time=time, zone=tz, limit=limit)
        result = run(
            data.texts,
            data.labels,
            folds=folds,
            times=data.times,
            sklearn_baseline=sklearn_baseline,
        )
    except CCMSError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(result.render())


@classify_app.command()
def predict(
    model: Annotated[
        Path, typer.Option("--model", help="A classifier saved by train.", exists=True)
    ],
    texts: Annotated[list[str] | None, typer.Argument(help="Texts to classify.")] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Classify a CSV's --text column instead.", exists=True),
    ] = None,
    text: Annotated[str, typer.Option("--text", help="The CSV's text column.")] = "text",
    taxonomy: Annotated[
        Path | None, typer.Option("--taxonomy", help="Check the model against this taxonomy.")
    ] = None,
    k: Annotated[int, typer.Option("--top", min=1, help="Alternatives to show.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Print the suggested code and its alternatives for each text."""
    from ccms.classify import VocClassifier, taxonomy_of_codes
    from ccms.model import Taxonomy

    items = list(texts or [])
    if csv_file is not None:
        items.extend(_read(csv_file, text, None).texts)
    if not items:
        raise typer.BadParameter("give texts or --csv")
    try:
        tax = (
            Taxonomy.from_file(taxonomy)
            if taxonomy
            else taxonomy_of_codes(VocClassifier.saved_codes(model))
        )
        clf = VocClassifier.load(model, taxonomy=tax)
    except CCMSError as exc:
        _fail(exc)
    for item, p in zip(items, clf.predict(items, k=k), strict=True):
        alternatives = [(label, round(prob, 4)) for label, prob in p.code.alternatives]
        if as_json:
            typer.echo(
                json.dumps(
                    {"text": item, "code": p.code.label, "alternatives": alternatives},
                    ensure_ascii=False,
                )
            )
        else:
            others = ", ".join(f"{lab} {prob:.2f}" for lab, prob in alternatives[1:])
            typer.echo(f"{p.code.label}\t{p.code.probability:.2f}\t{others}\t{item}")
