"""huikuan (回款): collection targets, gaps, measures and follow-ups in Excel workbooks.

The few things a Python user calls; everything else lives in its module
(see README "Where things live").
"""

from .engine.status import StatusRow, Totals, status, totals_by_rep
from .model import Book, Customer, FollowUp, Installment, Measure, PlanRow, Problem, Receipt
from .values import BadValue, parse_amount, parse_date, parse_month

__version__ = "0.1.0"

__all__ = [
    "BadValue",
    "Book",
    "Customer",
    "FollowUp",
    "Installment",
    "Measure",
    "PlanRow",
    "Problem",
    "Receipt",
    "StatusRow",
    "Totals",
    "parse_amount",
    "parse_date",
    "parse_month",
    "status",
    "totals_by_rep",
]
