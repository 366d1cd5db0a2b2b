"""``ccms classify``: train, evaluate and use a VOC code classifier on a CSV of labelled texts."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ccms.errors import CCMSError

__all__ = ["classify_app"]

classify_app = typer.Typer(
    help="Suggest VOC codes from free text: train, evaluate (beside baselines), predict.",
    no_args_is_help=True,
)

CsvOpt = Annotated[Path, typer.Option("--csv", help="A CSV file with a header row.", exists=True)]
TextOpt = Annotated[str, typer.Option("--text", help="The column holding the customer's words.")]
LabelOpt = Annotated[str, typer.Option("--label", help="The column holding the label (VOC code).")]


def _read(path: Path, text: str, label: str | None) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        for column in (text, label):
            if column is not None and column not in fields:
                raise typer.BadParameter(
                    f"{path} has no column {column!r}; its columns: {', '.join(fields)}"
                )
        texts: list[str] = []
        labels: list[str] = []
        for row in reader:
            words = (row.get(text) or "").strip()
            tag = (row.get(label) or "").strip() if label else ""
            if words and (label is None or tag):
                texts.append(words)
                labels.append(tag)
    return texts, labels


def _fail(exc: CCMSError) -> NoReturn:
    typer.echo(f"error: {exc}", err=True)
    raise typer.Exit(1)


@classify_app.command()
def train(
    csv_file: CsvOpt,
    text: TextOpt,
    label: LabelOpt,
    model: Annotated[Path, typer.Option("--model", help="Where to write the trained classifier.")],
    taxonomy: Annotated[
        Path | None,
        typer.Option("--taxonomy", help="Taxonomy file; by default one of the labels' codes."),
    ] = None,
) -> None:
    """Train a code classifier on the CSV's texts and labels and save it."""
    from ccms.classify import VocClassifier, taxonomy_of_codes
    from ccms.model import Taxonomy

    texts, labels = _read(csv_file, text, label)
    try:
        tax = Taxonomy.from_file(taxonomy) if taxonomy else taxonomy_of_codes(labels)
        clf = VocClassifier.train(texts, labels, taxonomy=tax)
        clf.save(model)
    except CCMSError as exc:
        _fail(exc)
    typer.echo(f"trained on {len(texts)} texts, {len(set(labels))} codes: {model}")


@classify_app.command()
def evaluate(
    csv_file: CsvOpt,
    text: TextOpt,
    label: LabelOpt,
    folds: Annotated[int, typer.Option("--folds", min=2, help="Stratified folds.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    sklearn_baseline: Annotated[
        bool, typer.Option(help="Also evaluate the tuned scikit-learn baseline on the same folds.")
    ] = True,
) -> None:
    """Cross-validate on the CSV: accuracy, macro-F1, top-3, calibration, beside the baselines."""
    from ccms.classify import evaluate as run

    texts, labels = _read(csv_file, text, label)
    try:
        result = run(texts, labels, folds=folds, sklearn_baseline=sklearn_baseline)
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
        items.extend(_read(csv_file, text, None)[0])
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
