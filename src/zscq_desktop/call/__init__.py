"""The yearly call as data: `forms/<call>/*.toml` loaded and validated into typed objects."""

from zscq_desktop.call.loader import CallDataError, load_call
from zscq_desktop.call.model import (
    Call,
    Column,
    Direction,
    Field,
    FormSpec,
    Indicator,
    PlanSection,
    PlanSpec,
    Question,
    Section,
    Task,
)

__all__ = [
    "Call", "CallDataError", "Column", "Direction", "Field", "FormSpec", "Indicator", "PlanSection",
    "PlanSpec", "Question", "Section", "Task", "load_call",
]
