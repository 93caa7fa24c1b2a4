"""The workbook contract of SPEC.md: table names, column keys, labels and value kinds.

This is the only place where SPEC's names are spelled. Reader, template,
writer and CLI all look them up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    """How a cell's value is typed and parsed (see values.py)."""

    TEXT = "text"
    AMOUNT = "amount"
    DATE = "date"
    MONTH = "month"
    YESNO = "yesno"
    CHOICE = "choice"
    INTEGER = "integer"  # whole days
    RATIO = "ratio"  # outputs only


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice column: its key and its two labels."""

    key: str
    en: str
    zh: str


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    key: str
    en: str
    zh: str
    kind: Kind = Kind.TEXT
    required: bool = False
    default: object = None
    choices: tuple[Choice, ...] = ()

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Table:
    """One contract table: its name (also the default sheet name) and columns."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    required: bool = False
    output: bool = False
    keys: tuple[str, ...] = field(default=())  # unique key columns

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.name


def _choices(*triples: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(*t) for t in triples)


GRADES = _choices(("A", "A", "A"), ("B", "B", "B"), ("C", "C", "C"), ("D", "D", "D"))

MEASURE_KINDS = _choices(
    ("potential_analysis", "Potential analysis", "回款潜力分析"),
    ("incentive", "Incentive", "客户激励"),
    ("promotion", "Promotion", "基层促销"),
    ("new_outlets", "New outlets", "开发网点"),
    ("new_product", "New product", "新产品"),
    ("staff_support", "Staff support", "派驻人员"),
    ("training", "Training", "人员培训"),
    ("joint_collection", "Joint collection", "陪同收款"),
    ("other", "Other", "其他"),
)

MEASURE_STATUSES = _choices(
    ("planned", "planned", "计划"),
    ("done", "done", "完成"),
    ("dropped", "dropped", "取消"),
)

CHANNELS = _choices(
    ("call", "call", "电话"),
    ("visit", "visit", "拜访"),
    ("message", "message", "信息"),
)

RESULTS = _choices(
    ("paid", "paid", "已付"),
    ("promised", "promised", "承诺"),
    ("partial", "partial", "部分"),
    ("excuse", "excuse", "推脱"),
    ("no_answer", "no_answer", "未联系上"),
)

EXCUSE_KINDS = _choices(
    ("quality", "quality", "质量问题"),
    ("personal", "personal", "个人事务"),
    ("downstream", "downstream", "下游拖欠"),
    ("cash", "cash", "资金紧张"),
    ("dispute", "dispute", "争议"),
    ("other", "other", "其他"),
)

PROMISE_STATUSES = _choices(
    ("none", "none", "未承诺"),
    ("on_track", "on_track", "正常"),
    ("partial", "partial", "部分兑现"),
    ("broken", "broken", "失约"),
    ("kept", "kept", "已兑现"),
)

YES_NO = _choices(("yes", "yes", "是"), ("no", "no", "否"))

C = Column
K = Kind

# ---- input tables --------------------------------------------------------

CUSTOMERS = Table(
    "Customers",
    "客户",
    (
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("name", "Customer", "客户名称", K.TEXT, required=True),
        C("rep", "Sales rep", "业务员", K.TEXT, required=True),
        C("credit_grade", "Credit grade", "信用等级", K.CHOICE, default="B", choices=GRADES),
        C("key_account", "Key account", "重点客户", K.YESNO, default=False),
        C("contact", "Contact", "联系人"),
        C("phone", "Phone", "电话"),
        C("email", "Email", "邮箱"),
    ),
    required=True,
    keys=("customer_id",),
)

PLAN = Table(
    "Plan",
    "回款计划",
    (
        C("month", "Month", "月份", K.MONTH, required=True),
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("target", "Target", "我方目标", K.AMOUNT, required=True),
        C("expected", "Expected", "预计可回款", K.AMOUNT),
        C("ask", "Ask", "提出要求", K.AMOUNT),
        C("agreed_jointly", "Agreed jointly", "共同制定", K.YESNO, default=False),
        C("agreed_on", "Agreed on", "制定日期", K.DATE),
    ),
    required=True,
    keys=("month", "customer_id"),
)

MEASURES = Table(
    "Measures",
    "措施",
    (
        C("month", "Month", "月份", K.MONTH, required=True),
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("kind", "Kind", "措施类型", K.CHOICE, required=True, choices=MEASURE_KINDS),
        C("description", "Description", "措施内容"),
        C("contribution", "Contribution", "预计增加回款", K.AMOUNT, required=True),
        C("owner", "Owner", "负责人"),
        C("due", "Due", "完成日期", K.DATE),
        C("status", "Status", "状态", K.CHOICE, default="planned", choices=MEASURE_STATUSES),
    ),
)

COMMITMENTS = Table(
    "Commitments",
    "承诺",
    (
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("due", "Due", "承诺回款日", K.DATE, required=True),
        C("amount", "Amount", "承诺金额", K.AMOUNT, required=True),
        C("promised_on", "Promised on", "承诺日期", K.DATE),
        # huikuan's addition to SPEC: the due date of the unpaid installment that
        # `huikuan roll` carried into this one (blank for an installment promised as such)
        C("carried_from", "Carried from", "结转自", K.DATE),
    ),
)

RECEIPTS = Table(
    "Receipts",
    "回款",
    (
        C("date", "Date", "回款日期", K.DATE, required=True),
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("amount", "Amount", "回款金额", K.AMOUNT, required=True),
        C("reference", "Reference", "凭证号"),
    ),
)

FOLLOWUPS = Table(
    "FollowUps",
    "跟进记录",
    (
        C("date", "Date", "跟进日期", K.DATE, required=True),
        C("customer_id", "Customer ID", "客户编号", K.TEXT, required=True),
        C("channel", "Channel", "方式", K.CHOICE, default="call", choices=CHANNELS),
        C("result", "Result", "结果", K.CHOICE, required=True, choices=RESULTS),
        C("excuse_kind", "Excuse", "理由类型", K.CHOICE, choices=EXCUSE_KINDS),
        C("excuse_accepted", "Excuse accepted", "接受理由", K.YESNO, default=False),
        C("deferred", "Deferred", "推迟金额", K.AMOUNT),
        C("note", "Note", "备注"),
    ),
)

POLICY = Table(
    "Policy",
    "策略",
    (
        C("credit_grade", "Credit grade", "信用等级", K.CHOICE, required=True, choices=GRADES),
        C("remind_before", "Remind days before", "提前提醒天数", K.INTEGER, required=True),
        C("grace", "Grace days", "宽限天数", K.INTEGER, required=True),
        C("chase_every", "Chase every (days)", "催收间隔天数", K.INTEGER, required=True),
        C("escalate_after", "Escalate after (days)", "上报经理天数", K.INTEGER, required=True),
        # huikuan's addition (issue 16): follow this grade's customers at the credit grade
        # their promise record suggests (Status shows it: "建议 B→C（已采用）")
        C("use_suggested", "Use suggested grade", "采用建议等级", K.YESNO, default=False),
    ),
    keys=("credit_grade",),
)

HOLIDAYS = Table(
    "Holidays",
    "节假日",
    (
        C("date", "Date", "日期", K.DATE, required=True),
        C("working", "Working day", "上班", K.YESNO, default=False),
        C("note", "Note", "说明"),
    ),
    keys=("date",),
)

CAUSES = _choices(
    ("no_joint_plan", "no plan agreed with the customer", "未共同制定计划"),
    ("gap_uncovered", "no measures aimed at the gap", "差距无措施"),
    ("no_commitment", "no commitment from the customer", "未取得承诺"),
    ("not_followed", "commitments not followed up", "承诺未跟踪"),
    ("demands_low", "demands too low", "要求过低"),
    ("weak_negotiation", "weak negotiation", "谈判技巧不足"),
)

# huikuan's addition (issue 16): Diagnosis rows after the six causes, from the forecast
LIKELY_MISS = _choices(
    ("likely_miss", "likely to miss the target by month end", "预计月底未达标"),
)

# huikuan's addition (issue 16): the rules of the suggested credit grade, also rows of
# Thresholds (engine/record.py GRADE_DEFAULTS holds their defaults)
GRADE_RULES = _choices(
    ("grade_min_installments", "grade: fewest installments owed", "评级：最少到期期数"),
    ("grade_a_kept_rate", "grade A: kept rate at least", "A级：守约率不低于"),
    ("grade_a_days_late", "grade A: average days late at most", "A级：平均逾期天数不超过"),
    ("grade_b_kept_rate", "grade B: kept rate at least", "B级：守约率不低于"),
    ("grade_b_days_late", "grade B: average days late at most", "B级：平均逾期天数不超过"),
    ("grade_c_kept_rate", "grade C: kept rate at least", "C级：守约率不低于"),
    ("grade_months", "grade: months looked back (N)", "评级：回看月数（N）"),
    ("grade_d_broken", "grade D: broken in the last N months", "D级：近N个月失约期数"),
)

THRESHOLDS = Table(
    "Thresholds",
    "诊断阈值",
    (
        C("cause", "Cause", "原因", K.CHOICE, required=True, choices=CAUSES + GRADE_RULES),
        C("threshold", "Threshold", "预警阈值", K.RATIO, required=True),
    ),
    keys=("cause",),
)

REPS = Table(
    "Reps",
    "业务员",
    (
        C("rep", "Sales rep", "业务员", K.TEXT, required=True),
        C("email", "Email", "邮箱"),
        C("manager", "Manager", "经理"),
    ),
    keys=("rep",),
)

# huikuan's addition (issue 16): workbook-wide settings, one row per setting (optional)
SETTING_KEYS = _choices(
    ("history_db", "history database", "历史数据库"),
    ("history_team", "team name in the history database", "历史库团队名"),
)

SETTINGS = Table(
    "Settings",
    "设置",
    (
        C("setting", "Setting", "设置项", K.CHOICE, required=True, choices=SETTING_KEYS),
        C("value", "Value", "值", K.TEXT),
    ),
    keys=("setting",),
)

INPUT_TABLES = (CUSTOMERS, PLAN, MEASURES, COMMITMENTS, RECEIPTS, FOLLOWUPS)
SETTING_TABLES = (POLICY, THRESHOLDS, HOLIDAYS, REPS, SETTINGS)

# ---- output tables -------------------------------------------------------

STATUS = Table(
    "Status",
    "回款状态",
    (
        CUSTOMERS.column("customer_id"),
        CUSTOMERS.column("name"),
        CUSTOMERS.column("rep"),
        CUSTOMERS.column("credit_grade"),
        CUSTOMERS.column("key_account"),
        C("target", "Target", "我方目标", K.AMOUNT),
        C("committed", "Committed", "已承诺", K.AMOUNT),
        C("gap", "Gap", "目标差距", K.AMOUNT),
        C("contribution", "Measures", "措施贡献", K.AMOUNT),
        C("remaining_gap", "Remaining gap", "剩余差距", K.AMOUNT),
        C("coverage", "Coverage", "覆盖率", K.RATIO),
        C("received", "Received", "已回款", K.AMOUNT),
        C("due_to_date", "Due to date", "应回款至今", K.AMOUNT),
        C("fulfilment", "Fulfilment", "兑现率", K.RATIO),
        C("completion", "Completion", "完成率", K.RATIO),
        C("promise_status", "Promise", "承诺状态", K.CHOICE, choices=PROMISE_STATUSES),
        C("next_follow_up", "Next follow-up", "下次跟进", K.DATE),
        C("priority", "Priority", "优先级", K.INTEGER),
        C("settle_ratio", "Settle ratio", "成交比例", K.RATIO),
        C("suggested_ask", "Suggested ask", "建议要求", K.AMOUNT),
        C("no_anchor", "No anchor", "未锚定", K.YESNO),
        # huikuan's addition (issue 16): the grade the promise record suggests, "建议 B→C"
        C("suggested_grade", "Suggested grade", "建议等级"),
    ),
    output=True,
)
# month comes first in Status, as in SPEC's list
STATUS = Table(STATUS.name, STATUS.zh, (PLAN.column("month"), *STATUS.columns), output=True)

# huikuan's addition to SPEC: an error is a bad value (exit 1); a warning is something that
# would otherwise pass silently (a default applied, a cell no formula or table sees): exit 0
SEVERITIES = _choices(("error", "error", "错误"), ("warning", "warning", "警告"))

PROBLEMS = Table(
    "Problems",
    "问题",
    (
        C("sheet", "Sheet", "工作表"),
        C("cell", "Cell", "单元格"),
        C("value", "Value", "值"),
        C("message", "Problem", "问题"),
        C("severity", "Severity", "级别", K.CHOICE, choices=SEVERITIES),
    ),
    output=True,
)

ACTIONS = _choices(
    ("escalate", "escalate to manager", "上报经理"),
    ("chase", "chase", "催收"),
    ("due_check", "due-day check", "到期确认"),
    ("remind", "remind", "提醒"),
    ("get_commitment", "get a commitment", "取得承诺"),
    ("push", "early-month push", "月初推动"),
)

SCHEDULE = Table(
    "Schedule",
    "跟进计划",
    (
        C("date", "Date", "日期", K.DATE),
        CUSTOMERS.column("customer_id"),
        CUSTOMERS.column("name"),
        CUSTOMERS.column("rep"),
        C("action", "Action", "动作", K.CHOICE, choices=ACTIONS),
        C("installment_due", "Installment due", "承诺回款日", K.DATE),
        C("amount_at_stake", "At stake", "涉及金额", K.AMOUNT),
        C("reason", "Reason", "原因"),
        CUSTOMERS.column("key_account"),
        CUSTOMERS.column("phone"),
    ),
    output=True,
)

DIAGNOSIS = Table(
    "Diagnosis",
    "诊断",
    (
        C("rep", "Sales rep", "业务员"),
        C("cause", "Cause", "原因", K.CHOICE, choices=CAUSES + LIKELY_MISS),
        C("figure", "Figure", "指标", K.RATIO),
        C("amount", "At stake", "涉及金额", K.AMOUNT),
        C("flagged", "Flagged", "预警", K.YESNO),
        C("action", "Action", "建议措施"),
        C("rank", "Rank by money", "金额排名", K.INTEGER),
        C("detail", "Detail", "说明"),
    ),
    output=True,
)

EXCUSES = Table(
    "Excuses",
    "拖款理由",
    (
        C("rep", "Sales rep", "业务员"),
        C("excuse_kind", "Excuse", "理由类型", K.CHOICE, choices=EXCUSE_KINDS),
        C("count", "Times heard", "次数", K.INTEGER),
        C("accepted", "Times accepted", "接受次数", K.INTEGER),
        C("deferred", "Deferred", "推迟金额", K.AMOUNT),
        C("deferred_accepted", "Deferred when accepted", "接受后推迟金额", K.AMOUNT),
        C("counter_measure", "Counter-measure", "应对措施"),
        C("customers", "Customers", "客户"),
    ),
    output=True,
)

DASHBOARD = Table(
    "Dashboard",
    "看板",
    (
        C("rep", "Sales rep", "业务员"),
        C("customers", "Customers", "客户数", K.INTEGER),
        C("target", "Target", "我方目标", K.AMOUNT),
        C("committed", "Committed", "已承诺", K.AMOUNT),
        C("contribution", "Measures", "措施贡献", K.AMOUNT),
        C("covered", "Gap covered by measures", "措施覆盖差距", K.AMOUNT),
        C("remaining_gap", "Remaining gap", "剩余差距", K.AMOUNT),
        C("received", "Received", "已回款", K.AMOUNT),
        C("gap", "Gap", "目标差距", K.AMOUNT),
        C("completion", "Completion", "完成率", K.RATIO),
        C("coverage", "Coverage", "覆盖率", K.RATIO),
        C("kept", "Kept", "已兑现", K.INTEGER),
        C("on_track", "On track", "正常", K.INTEGER),
        C("partial", "Partial", "部分兑现", K.INTEGER),
        C("broken", "Broken", "失约", K.INTEGER),
        C("none", "No commitment", "未承诺", K.INTEGER),
        # huikuan's addition (issue 16): the month-end forecast (Forecast sheet) per rep
        C("expected", "Expected by month end", "预计月底前回款", K.AMOUNT),
        C("likely", "Received + expected", "已回款+预计", K.AMOUNT),
        C("shortfall", "Likely shortfall", "预计缺口", K.AMOUNT),
    ),
    output=True,
)

# huikuan's addition (issue 16): each customer's open commitments and what it is
# expected to pay by the month's end, from its promise record (engine/forecast.py)
FORECAST = Table(
    "Forecast",
    "预测",
    (
        PLAN.column("month"),
        CUSTOMERS.column("customer_id"),
        CUSTOMERS.column("name"),
        CUSTOMERS.column("rep"),
        C("open", "Open commitments", "未兑现承诺", K.AMOUNT),
        C("expected", "Expected by month end", "预计月底前回款", K.AMOUNT),
        C("kept_rate", "Kept rate", "守约率", K.RATIO),
        C("avg_days_late", "Average days late", "平均逾期天数", K.INTEGER),
        C("basis", "Basis", "依据"),
    ),
    output=True,
)

OUTPUT_TABLES = (STATUS, SCHEDULE, DIAGNOSIS, EXCUSES, DASHBOARD, FORECAST, PROBLEMS)

# ---- the team workflow (split / collect / roll): huikuan's additions to SPEC ------

COLLECT_EVENTS = _choices(
    ("taken", "taken", "已汇总"),
    ("added", "row added", "新增行"),
    ("changed", "row changed by the rep", "业务员修改"),
    ("kept", "missing in the return", "回传中缺少"),
    ("target", "target changed", "目标被修改"),
    ("customer", "customer details changed", "客户资料被修改"),
    ("not_in_base", "customer not in the base", "底表中无此客户"),
    ("other_rep", "customer of another rep", "他人客户"),
    ("not_taken", "row not taken", "未采用的行"),
    ("bad_row", "bad row", "错误行"),
    ("duplicate", "identical rows", "重复行"),
    ("no_return", "no return", "未回传"),
    ("superseded", "older return", "较早的回传"),
    ("quarantined", "quarantined", "已隔离"),
    ("skipped", "skipped", "已跳过"),
    # three-way collect (issue 13): which of base / sent / return changed a row
    ("team_changed", "changed in the team book after split", "分发后汇总表已修改"),
    ("conflict", "changed by both", "双方均修改"),
    ("deleted", "deleted by the rep", "业务员删除"),
    ("cross_rep", "logged for another rep's customer", "为他人客户登记"),
    ("no_snapshot", "no record of what was sent", "无分发记录"),
)

COLLECT = Table(
    "Collect",
    "汇总记录",
    (
        C("file", "File", "文件"),
        C("rep", "Sales rep", "业务员"),
        C("event", "Event", "事件", K.CHOICE, choices=COLLECT_EVENTS),
        C("table", "Table", "表"),
        C("customer_id", "Customer ID", "客户编号"),
        C("detail", "Detail", "详情"),
        C("resolution", "Resolution", "处理"),
    ),
    output=True,
)

# What split sent each rep (team/sent.py): a hidden sheet and table of this name in each
# rep's workbook, one row per input row sent (and one "split" row), so collect can tell
# who changed what. Internal: its labels are its keys in every language.
SENT = Table(
    "_huikuan_sent",
    "_huikuan_sent",
    tuple(C(key, key, key) for key in ("table", "row", "customer_id", "hash", "values")),
    output=True,
)

# Words of the team row in per-rep outputs.
ALL_REPS = {"en": "ALL", "zh": "全部"}


def choice_label(choices: tuple[Choice, ...], key: str, lang: str) -> str:
    for ch in choices:
        if ch.key == key:
            return ch.zh if lang == "zh" else ch.en
    return key
