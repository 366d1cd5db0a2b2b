"""A small trained classifier shared by the classify tests (trained once per process)."""

from __future__ import annotations

import functools

from ccms.classify import LabelledText, VocClassifier, corpus_taxonomy, generate_corpus

TAXONOMY = corpus_taxonomy()


@functools.cache
def corpus() -> tuple[LabelledText, ...]:
    return tuple(generate_corpus(900, seed=7))


@functools.cache
def trained() -> VocClassifier:
    rows = corpus()[:700]
    return VocClassifier.train(
        [r.text for r in rows],
        [r.code for r in rows],
        kinds=[r.kind for r in rows],
        severities=[r.severity for r in rows],
        taxonomy=TAXONOMY,
    )
