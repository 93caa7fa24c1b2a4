"""A ready-to-send email per rep (RFC 5322, UTF-8), the rep's workbook attached.

Built with the standard library's `email` package. The message carries
`X-Unsent: 1`, so Outlook opens the .eml as a draft with a Send button
(Thunderbird: "Edit as New Message"); From is the manager's address when one
is known, else the mail program fills it in when sending.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from ..model import Rep
from ..values import format_amount, format_month

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
XLSM = ("application", "vnd.ms-excel.sheet.macroEnabled.12")


def address(value: str | None, name: str | None = None) -> str | None:
    """`a@b.cn` or `Name <a@b.cn>` as a header address; None when it is not an address."""
    if not value:
        return None
    real, addr = parseaddr(value)
    user, at, domain = addr.rpartition("@")
    if not (user and at and "." in domain) or any(ch.isspace() for ch in addr):
        return None
    try:
        return str(Address(real or name or "", addr_spec=addr))
    except (ValueError, IndexError):  # email's parser rejects it
        return None


def manager_address(manager: str | None, reps: Iterable[Rep]) -> str | None:
    """The manager's address: the Manager cell itself when it is an address, else the
    email of the Reps row named so (the manager's own row)."""
    if not manager:
        return None
    if "@" in manager:
        return address(manager)
    row = next((r for r in reps if r.rep == manager), None)
    return address(row.email, row.rep) if row else None


@dataclass(frozen=True)
class Figures:
    """What the body says about the rep's month."""

    month: date
    customers: int
    target: Decimal


_TEXT = {
    "zh": {
        "subject": "{month}回款工作簿：{rep}",
        "body": (
            "{rep}，你好：\n\n"
            "附件“{file}”是你{month}的回款工作簿，含你负责的 {customers} 个客户，"
            "本月目标合计 {target}。\n\n"
            "请在工作簿中填写：\n"
            "• 回款计划：预计可回款、提出要求、是否与客户共同制定；\n"
            "• 措施：为弥补目标差距采取的措施及预计增加回款；\n"
            "• 承诺：客户承诺的每一期回款（日期和金额）；\n"
            "• 回款和跟进记录。\n\n"
            "填好后保存，直接回复本邮件并附上工作簿即可（文件名可以不改）。"
            "请不要修改表格名称和表头；“我方目标”以经理的汇总表为准。\n\n"
            "{manager}\n"
        ),
    },
    "en": {
        "subject": "Collection workbook {month}: {rep}",
        "body": (
            "Hello {rep},\n\n"
            "Attached, {file} is your collection workbook for {month}: your {customers} "
            "customers, with a target of {target} this month.\n\n"
            "Please fill in:\n"
            "• Plan: expected, ask, and whether the plan was agreed with the customer;\n"
            "• Measures: what you will do about each gap and what it should bring in;\n"
            "• Commitments: each installment the customer promised (date and amount);\n"
            "• Receipts and follow-ups.\n\n"
            "Save it and reply to this email with the workbook attached (the file name "
            "may stay as it is). Please keep the table names and headers; targets are "
            "the manager's.\n\n"
            "{manager}\n"
        ),
    },
}


def rep_message(
    rep: Rep,
    workbook: bytes,
    filename: str,
    figures: Figures,
    lang: str,
    to: str | None,
    cc: str | None = None,
    sender: str | None = None,
    manager: str | None = None,
) -> EmailMessage:
    """The email to one rep with their workbook attached (To/Cc/From only when known)."""
    text = _TEXT["zh" if lang == "zh" else "en"]
    values = {
        "rep": rep.rep,
        "file": filename,
        "month": format_month(figures.month, lang),
        "customers": figures.customers,
        "target": format_amount(figures.target, lang),
        "manager": manager or "",
    }
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = text["subject"].format(**values)
    if sender:
        msg["From"] = sender
    if to:
        msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("huikuan", domain="huikuan.invalid")
    msg["X-Unsent"] = "1"
    msg.set_content(text["body"].format(**values).rstrip() + "\n", charset="utf-8")
    maintype, subtype = XLSM if filename.lower().endswith(".xlsm") else XLSX
    msg.add_attachment(workbook, maintype=maintype, subtype=subtype, filename=filename)
    return msg
