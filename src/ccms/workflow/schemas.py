"""The boundary models whose JSON Schema integrators read (``ccms schema`` writes them).

>>> models = boundary_models()
>>> "Complaint" in models and "event.received" in models and "command.Classify" in models
True
"""

from __future__ import annotations

import pydantic

from ccms import model
from ccms.model.events import event_class, event_types
from ccms.workflow import commands
from ccms.workflow.definition import WorkflowDefinition

__all__ = ["boundary_models"]


def boundary_models() -> dict[str, type[pydantic.BaseModel]]:
    """Name -> model: entities, configuration, every command and every registered event."""
    out: dict[str, type[pydantic.BaseModel]] = {
        "Complaint": model.Complaint,
        "Concern": model.Concern,
        "Customer": model.Customer,
        "Result": model.Result,
        "Feedback": model.Feedback,
        "Money": model.Money,
        "Taxonomy": model.Taxonomy,
        "Organization": model.Organization,
        "WorkflowDefinition": WorkflowDefinition,
        "command.Receive": commands.Receive,
    }
    for name in commands.__all__:
        obj = getattr(commands, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, commands.Command)
            and obj is not commands.Command
        ):
            out[f"command.{name}"] = obj
    for type_ in sorted(event_types()):
        out[f"event.{type_}"] = event_class(type_)
    return out
