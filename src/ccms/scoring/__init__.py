"""``ccms.scoring``: CS points, responsibility improvement, institutional improvement and ideas.

The prevention half of a CCMS (see ``docs/scoring.md``): a versioned, data-driven CS-point rule
set and its append-only ledger (a Desk subscriber); responsibility-improvement tasks whose effect is
verified from complaint data; the institutional-improvement and idea pipelines. Every pipeline
runs on a :class:`ccms.workflow.Workflow`, so an invalid move is the workflow's typed error.
"""

from __future__ import annotations

from ccms.scoring._pipeline import Item, Step, UnknownItem
from ccms.scoring.attribution import (
    AttributeFault,
    WithdrawFault,
    attribution_workflow,
    with_attribution,
)
from ccms.scoring.improvement import (
    CcCardCloser,
    Effect,
    ImprovementBoard,
    ImprovementTask,
    OwnerScore,
    ProgressReport,
    ScoreWeights,
    rate_reduction_test,
    task_definition,
)
from ccms.scoring.institutional import (
    Idea,
    IdeaBox,
    InstitutionalItem,
    InstitutionalRegister,
    idea_definition,
    institutional_definition,
)
from ccms.scoring.ledger import EntryStatus, Explanation, Ledger, LedgerEntry, Standing
from ccms.scoring.rules import (
    DEFAULT_RULES,
    Activity,
    Award,
    Cause,
    Consequence,
    Limits,
    PointRule,
    PointRules,
    Reverse,
    RuleSet,
    Tier,
    holder_at,
    longest_holder,
)

__all__ = [
    "DEFAULT_RULES",
    "Activity",
    "AttributeFault",
    "Award",
    "Cause",
    "CcCardCloser",
    "Consequence",
    "Effect",
    "EntryStatus",
    "Explanation",
    "Idea",
    "IdeaBox",
    "ImprovementBoard",
    "ImprovementTask",
    "InstitutionalItem",
    "InstitutionalRegister",
    "Item",
    "Ledger",
    "LedgerEntry",
    "Limits",
    "OwnerScore",
    "PointRule",
    "PointRules",
    "ProgressReport",
    "Reverse",
    "RuleSet",
    "ScoreWeights",
    "Standing",
    "Step",
    "Tier",
    "UnknownItem",
    "WithdrawFault",
    "attribution_workflow",
    "holder_at",
    "idea_definition",
    "institutional_definition",
    "longest_holder",
    "rate_reduction_test",
    "task_definition",
    "with_attribution",
]
