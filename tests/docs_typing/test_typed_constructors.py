"""The constructors ccms declares for type checkers (``if TYPE_CHECKING: def __init__``) name
exactly the model's fields, keyword-only, with a default where the field has one.

They exist so that host code passes ``mypy --strict`` without the pydantic plugin (a string for
an enum, a list or set where a tuple or frozenset is stored); pydantic never sees them, so a field
added to a model and forgotten here would go unnoticed at run time: this test notices it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def _declared() -> list[tuple[str, str, ast.FunctionDef]]:
    found = []
    for path in sorted((SRC / "ccms").rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            for stmt in cls.body:
                if (
                    isinstance(stmt, ast.If)
                    and isinstance(stmt.test, ast.Name)
                    and stmt.test.id == "TYPE_CHECKING"
                ):
                    for fn in stmt.body:
                        if isinstance(fn, ast.FunctionDef) and fn.name == "__init__":
                            found.append((module, cls.name, fn))
    return found


DECLARED = _declared()


def test_the_user_built_models_declare_a_constructor() -> None:
    named = {f"{m}.{c}" for m, c, _ in DECLARED}
    for model in ("complaint.Concern", "complaint.Result", "complaint.Complaint",
                  "organization.Organization", "organization.Agent", "organization.Authority",
                  "customer.Customer", "values.Money", "events.Actor"):  # fmt: skip
        assert f"ccms.model.{model}" in named
    for model in ("definition.StageSpec", "definition.TransitionSpec",
                  "definition.WorkflowDefinition", "commands.Receive"):  # fmt: skip
        assert f"ccms.workflow.{model}" in named


@pytest.mark.parametrize(
    ("module", "name", "init"), DECLARED, ids=[f"{m}.{c}" for m, c, _ in DECLARED]
)
def test_a_declared_constructor_names_the_fields(
    module: str, name: str, init: ast.FunctionDef
) -> None:
    model = getattr(importlib.import_module(module), name)
    assert issubclass(model, BaseModel)
    args = init.args
    assert [a.arg for a in args.args] == ["self"]  # everything after it keyword-only
    assert args.vararg is None
    assert args.kwarg is None
    params = [a.arg for a in args.kwonlyargs]
    fields = {f.alias or n: f for n, f in model.model_fields.items()}
    assert params == list(fields)  # same names, in the declaration order
    has_default = {
        a.arg: d is not None for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
    }
    for param, field in fields.items():
        assert has_default[param] == (not field.is_required()), param
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        # a literal default must be the field's own ("..." stands for a longer one)
        if isinstance(default, ast.Constant) and default.value is not Ellipsis:
            assert default.value == fields[arg.arg].default, arg.arg
        elif isinstance(default, ast.Tuple) and not default.elts:
            assert tuple(fields[arg.arg].default) == (), arg.arg


def test_what_the_constructors_promise_is_what_validation_accepts() -> None:
    from ccms.model import Agent, Authority, Concern, Customer, Money, Organization, Result

    assert Concern(kind="complaint", text="t", severity="high").severity.name == "HIGH"
    assert Result(remedy="refund", amount=Money(amount=1000)).remedy.value == "refund"
    agent = Agent(id="a", name="A", department="d", role="supervisor", skills=["x", "y"],
                  languages=("ko", "en"), authority=Authority(remedies=["apology", "refund"]))  # fmt: skip
    assert agent.skills == frozenset({"x", "y"})
    assert agent.role.value == "supervisor"
    assert Organization(departments=[], agents=iter([])).agents == ()
    assert Customer(id="c", phone="010-1234-5678").phone is not None
    assert Money(amount=35_000).amount == Money(amount="35000").amount


def test_what_the_workflow_constructors_promise_is_what_validation_accepts() -> None:
    from datetime import UTC, datetime

    from ccms.model import Concern, CustomerRef
    from ccms.workflow import Receive
    from ccms.workflow.definition import StageSpec, TransitionSpec, WorkflowDefinition

    finish = TransitionSpec(trigger="finish", source=["open"], dest="done", roles={"handler"})
    assert finish.source == ("open",)
    assert finish.roles is not None
    assert {r.value for r in finish.roles} == {"handler"}
    tiny = WorkflowDefinition(
        name="tiny",
        initial="open",
        stages=iter([StageSpec(name="open"), {"name": "done", "terminal": True}]),
        transitions=[finish],
        params={"x": 1},
    )
    assert [s.name for s in tiny.stages] == ["open", "done"]
    receive = Receive(
        channel="phone",
        customer={"id": "C-1"},
        concerns=(
            c for c in [Concern(kind="complaint", text="t"), {"kind": "inquiry", "text": "q"}]
        ),
        received_at=datetime(2026, 10, 5, tzinfo=UTC),
        flags=["vip"],
        tags={"t"},
        attributes={"score": 1},
    )
    assert receive.customer == CustomerRef(id="C-1")
    assert len(receive.concerns) == 2
    assert receive.flags == frozenset({"vip"})
