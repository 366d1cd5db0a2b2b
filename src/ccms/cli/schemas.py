"""The boundary models whose JSON Schema ``ccms schema`` writes, for integrators."""

from __future__ import annotations

import pydantic

from ccms import model, workflow
from ccms.model.events import event_class, event_types

__all__ = ["boundary_models"]


def boundary_models() -> dict[str, type[pydantic.BaseModel]]:
    """Name -> model: entities, configuration, every command and every registered event.

    >>> models = boundary_models()
    >>> "Complaint" in models and "event.received" in models and "command.Classify" in models
    True
    """
    out: dict[str, type[pydantic.BaseModel]] = {
        "Complaint": model.Complaint,
        "Concern": model.Concern,
        "Customer": model.Customer,
        "Result": model.Result,
        "Feedback": model.Feedback,
        "Money": model.Money,
        "Taxonomy": model.Taxonomy,
        "Organization": model.Organization,
        "WorkflowDefinition": workflow.WorkflowDefinition,
        "command.Receive": workflow.Receive,
    }
    for name in workflow.__all__:
        obj = getattr(workflow, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, workflow.Command)
            and obj is not workflow.Command
        ):
            out[f"command.{name}"] = obj
    for type_ in sorted(event_types()):
        out[f"event.{type_}"] = event_class(type_)
    return out
