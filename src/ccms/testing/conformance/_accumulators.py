"""Conformance suite for metric accumulators (``update``, ``merge``, ``result``).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from hypothesis import strategies as st

from ccms.testing._records_strategies import case_records_lists
from ccms.testing.conformance._common import broke, run_property

__all__ = ["AccumulatorSuite"]

Factory = Callable[[], Any]


def _fed(make: Factory, items: Sequence[Any]) -> Any:
    acc = make()
    for item in items:
        acc.update(item)
    return acc


class AccumulatorSuite:
    """What every metric accumulator (:class:`~ccms.metrics.Accumulator`) must do. Subclass it
    and give a ``make_accumulator`` fixture returning a factory of fresh, empty accumulators::

        class TestMyKpi(AccumulatorSuite):
            @pytest.fixture
            def make_accumulator(self):
                return lambda: KpiAccumulator(by=("channel",))

    ``merge`` is exact (merging the parts of a split equals feeding everything to one),
    associative and commutative, an empty accumulator is its identity, neither operand changes,
    and ``result()`` can be read twice. Items are lists of :class:`~ccms.metrics.CaseRecord`;
    override :meth:`items` for accumulators of other inputs.
    """

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None

    def items(self) -> st.SearchStrategy[list[Any]]:
        """Lists of inputs (case records, up to 6)."""
        return case_records_lists(max_size=6)

    def test_merge_is_exact(self, make_accumulator: Factory) -> None:
        """``fed(xs).merge(fed(ys)).result() == fed(xs + ys).result()``."""

        def prop(xs: list[Any], ys: list[Any]) -> None:
            merged = _fed(make_accumulator, xs).merge(_fed(make_accumulator, ys)).result()
            whole = _fed(make_accumulator, [*xs, *ys]).result()
            if merged != whole:
                broke(
                    make_accumulator(),
                    "merge is exact",
                    f"merging parts of {len(xs)} and {len(ys)} items gave\n  {merged!r}\n"
                    f"feeding all {len(xs) + len(ys)} gave\n  {whole!r}",
                )

        run_property(prop, max_examples=self.max_examples, xs=self.items(), ys=self.items())

    def test_merge_is_associative_and_commutative(self, make_accumulator: Factory) -> None:
        """``(a+b)+c == a+(b+c)`` and ``a+b == b+a`` (compared by ``result()``)."""

        def prop(xs: list[Any], ys: list[Any], zs: list[Any]) -> None:
            a, b, c = (_fed(make_accumulator, i) for i in (xs, ys, zs))
            left, right = a.merge(b).merge(c).result(), a.merge(b.merge(c)).result()
            if left != right:
                broke(
                    a,
                    "merge is associative",
                    f"(a+b)+c gave\n  {left!r}\na+(b+c) gave\n  {right!r}",
                )
            ab, ba = a.merge(b).result(), b.merge(a).result()
            if ab != ba:
                broke(a, "merge is commutative", f"a+b gave\n  {ab!r}\nb+a gave\n  {ba!r}")

        run_property(
            prop, max_examples=self.max_examples, xs=self.items(), ys=self.items(), zs=self.items()
        )

    def test_empty_is_the_identity_and_operands_do_not_change(
        self, make_accumulator: Factory
    ) -> None:
        """``a + empty == empty + a == a``; merging leaves both operands as they were; the result
        reads the same twice."""

        def prop(xs: list[Any], ys: list[Any]) -> None:
            a, b = _fed(make_accumulator, xs), _fed(make_accumulator, ys)
            ra, rb = a.result(), b.result()
            if a.result() != ra:
                broke(a, "result() can be read twice", "a second result() differs from the first")
            for label, got in (
                ("a + empty", a.merge(make_accumulator()).result()),
                ("empty + a", make_accumulator().merge(a).result()),
            ):
                if got != ra:
                    broke(
                        a,
                        "an empty accumulator is the identity",
                        f"{label} gave\n  {got!r}\na alone\n  {ra!r}",
                    )
            a.merge(b)
            if a.result() != ra or b.result() != rb:
                broke(a, "merge leaves its operands alone", "a.merge(b) changed a or b")

        run_property(prop, max_examples=self.max_examples, xs=self.items(), ys=self.items())
