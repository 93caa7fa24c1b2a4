"""One customer's numbers from plain lists of installments: what the cell functions ask.

A cell function sees one customer's installments, what was received, a credit grade
and a day (and, when given, the month's target and the last logged contact). These
build the records the workbook reader would build and ask the same engine functions,
so that a cell and `huikuan refresh` agree. The built-in policy and China's working
days apply: a cell cannot see the workbook's Policy or Holidays tables, nor its
FollowUps log unless the last contact is passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from ..model import Customer, FollowUp, Installment, PlanRow
from .policy import DEFAULT_POLICY, Policy
from .schedule import Action, schedule
from .status import ONE, ZERO, StatusRow, promise_status, status_row
from .workdays import CHINA, Workdays


def installments(pairs: Iterable[tuple[date, Decimal]]) -> tuple[Installment, ...]:
    """(due, amount) pairs as the installments of one (unnamed) customer, earliest first."""
    return tuple(
        sorted(
            (Installment(customer_id="", due=due, amount=amount) for due, amount in pairs),
            key=lambda i: i.due,
        )
    )


def customer_promise_status(
    pairs: Iterable[tuple[date, Decimal]],
    received: Decimal,
    as_of: date,
    grade: str = "B",
    policy: Policy = DEFAULT_POLICY,
) -> str:
    """promise_status of these installments, with the grace of the customer's credit grade."""
    return promise_status(installments(pairs), received, as_of, policy.for_grade(grade).grace)


def customer_row(
    pairs: Iterable[tuple[date, Decimal]],
    received: Decimal,
    as_of: date,
    grade: str = "B",
    key_account: bool = False,
    policy: Policy = DEFAULT_POLICY,
    target: Decimal | None = None,
) -> StatusRow:
    """The Status row of as_of's month for one customer, from that month's installments.

    Installments due in other months are left out, as refresh leaves them out of the
    month's row. `target` is the month's plan target; unknown (None), it is taken as
    what was committed — or, for a customer with no commitment yet, as some target
    above 0: refresh plans the weekly get-a-commitment action for every uncommitted
    customer with a target, and its days do not depend on the amount (only the amount
    at stake does, which is then unknown).
    """
    month = as_of.replace(day=1)
    mine = tuple(i for i in installments(pairs) if i.due.replace(day=1) == month)
    committed = sum((i.amount for i in mine), ZERO)
    if target is None:
        target = committed if committed > 0 else ONE
    plan = PlanRow(month=month, customer_id="", target=target)
    customer = Customer(
        customer_id="", name="", rep="", credit_grade=grade, key_account=key_account
    )
    return status_row(plan, customer, mine, received, ZERO, as_of, policy)


def customer_schedule(
    pairs: Sequence[tuple[date, Decimal]],
    received: Decimal,
    as_of: date,
    grade: str = "B",
    key_account: bool = False,
    policy: Policy = DEFAULT_POLICY,
    workdays: Workdays = CHINA,
    target: Decimal | None = None,
    last_contact: date | None = None,
) -> tuple[Action, ...]:
    """One customer's follow-up actions from as_of to the end of its month.

    `last_contact`: the customer's latest logged follow-up (the FollowUps log refresh
    reads); the next contact keeps its distance from it, as in refresh.
    """
    row = customer_row(pairs, received, as_of, grade, key_account, policy, target)
    logged = (
        ()
        if last_contact is None
        else (FollowUp(date=last_contact, customer_id="", result="no_answer"),)
    )
    return schedule([row], as_of, logged, policy, workdays)
