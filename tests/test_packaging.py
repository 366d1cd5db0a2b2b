"""The install is light: the core imports no extra, and a missing extra says which one to install.

Each check runs in a fresh interpreter, since this suite's own process has every extra loaded.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: What the extras bring; the core (model, workflow, policy, store, desk) must load none of it.
HEAVY = (
    "polars",
    "pyarrow",
    "matplotlib",
    "numpy",
    "pandas",
    "hypothesis",
    "yaml",
    "typer",
    "rich",
    "psycopg",
    "dask",
)


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize(
    "module", ["ccms.desk", "ccms.store", "ccms.policy", "ccms.workflow", "ccms.scoring"]
)
def test_the_core_imports_no_extra(module: str) -> None:
    loaded = run(
        f"""
        import sys
        import {module}
        heavy = {HEAVY!r}
        print(" ".join(sorted(m for m in heavy if m in sys.modules)))
        """
    )
    assert loaded == "", f"import {module} loaded {loaded}"


def test_importing_hypothesis_does_not_import_ccms() -> None:
    """The Hypothesis entry point runs in every host's suite; it must not load ccms there."""
    loaded = run(
        """
        import sys
        import hypothesis
        print(" ".join(sorted(m for m in sys.modules if m.startswith("ccms."))))
        """
    )
    assert loaded == "ccms.testing ccms.testing._hypothesis_hook"


@pytest.mark.parametrize("order", ["hypothesis first", "ccms first"])
def test_from_type_works_whichever_is_imported_first(order: str) -> None:
    first, second = (
        ("import hypothesis", "import ccms.model, ccms.policy")
        if order == "hypothesis first"
        else ("import ccms.model, ccms.policy", "import hypothesis")
    )
    names = run(
        f"""
        {first}
        {second}
        from hypothesis import find, strategies as st
        from ccms.model import Complaint, Money
        from ccms.policy import BusinessCalendar, SlaTable
        found = [find(st.from_type(t), lambda v: True)
                 for t in (Money, Complaint, BusinessCalendar, SlaTable)]
        print(" ".join(type(v).__name__ for v in found))
        """
    )
    assert names == "Money Complaint BusinessCalendar SlaTable"


def test_a_missing_extra_names_the_extra() -> None:
    message = run(
        """
        import sys, tempfile, pathlib
        sys.modules["yaml"] = None  # as if PyYAML were not installed
        from ccms._files import load_mapping
        from ccms.errors import MissingExtra
        path = pathlib.Path(tempfile.mkdtemp()) / "sla.yaml"
        path.write_text("a: 1")
        try:
            load_mapping(path)
        except MissingExtra as exc:
            print(exc)
        """
    )
    assert message == "this needs pyyaml, which is not installed: pip install 'ccms[yaml]'"


@pytest.mark.parametrize(
    ("blocked", "code", "extra"),
    [
        ("polars", "import ccms.metrics.columnar", "columnar"),
        ("dask", "import ccms.metrics.dask", "dask"),
        ("pyarrow", "from ccms.metrics import to_arrow; to_arrow([])", "columnar"),
    ],
)
def test_each_extra_is_named_when_missing(blocked: str, code: str, extra: str) -> None:
    message = run(
        f"""
        import sys
        sys.modules[{blocked!r}] = None  # as if it were not installed
        from ccms.errors import MissingExtra
        try:
            {code}
        except MissingExtra as exc:
            print(exc)
        """
    )
    assert message.endswith(f"pip install 'ccms[{extra}]'"), message


def test_a_dot_diagram_without_graphviz_names_the_extra() -> None:
    message = run(
        """
        import sys
        sys.modules["graphviz"] = None  # as if it were not installed
        from ccms.errors import MissingExtra
        from ccms.workflow import default_workflow
        wf = default_workflow()
        assert "stateDiagram-v2" in wf.diagram("mermaid")  # Mermaid needs nothing
        try:
            wf.diagram("dot")
        except MissingExtra as exc:
            print(exc)
        """
    )
    assert message.endswith("pip install 'ccms[diagrams]'"), message


@pytest.mark.parametrize(
    "module",
    [
        "ccms.testing.strategies",
        "ccms.testing.lifecycle",
        "ccms.testing.invalid",
        "ccms.testing.boundary",
        "ccms.testing.mutants",
        "ccms.testing.store_contract",
        "ccms.testing.conformance",
    ],
)
def test_the_testing_kit_without_hypothesis_names_the_extra(module: str) -> None:
    out = run(
        f"""
        import importlib, sys
        sys.modules["hypothesis"] = None  # as if it were not installed
        import ccms.testing, ccms.testing.plugin  # the package and the pytest plugin still load
        from ccms.errors import MissingExtra
        try:
            importlib.import_module({module!r})
        except MissingExtra as exc:
            print(exc.extra, exc.package, "|", exc)
        """
    )
    extra, package, message = out.replace(" | ", " ", 1).split(" ", 2)
    assert (extra, package) == ("testing", "hypothesis")
    assert message == "this needs hypothesis, which is not installed: pip install 'ccms[testing]'"


def test_the_testing_kit_lazy_name_without_hypothesis_names_the_extra() -> None:
    out = run(
        """
        import sys
        sys.modules["hypothesis"] = None
        import ccms.testing
        from ccms.errors import MissingExtra
        try:
            ccms.testing.ComplaintLifecycleMachine
        except MissingExtra as exc:
            print(exc.extra)
        """
    )
    assert out == "testing"
