"""The 回款 ribbon tab: one button per ribbon macro, as customUI14 XML.

Labels come in two sets, one per add-in build (`--lang zh|en`, like the template),
written statically into the XML rather than fetched through getLabel callbacks:
the ribbon then draws without running any VBA (it shows even when macros are
blocked, and no callback can fail), the XML validates against Microsoft's schema,
and no Chinese text has to live in VBA source, which Excel stores in the system's
ANSI code page. Each supertip carries both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree import ElementTree as ET

NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
LANGS = ("zh", "en")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Button:
    """A ribbon button running the function `macro` of huikuan.macros."""

    macro: str
    image: str  # a built-in Office icon (imageMso)
    zh: str
    en: str
    tip_zh: str
    tip_en: str
    group: str

    @property
    def id(self) -> str:
        return "huikuan_" + self.macro

    @property
    def callback(self) -> str:
        """The VBA Sub the button's onAction names: HuikuanNewMonth for new_month."""
        return "Huikuan" + "".join(part.title() for part in self.macro.split("_"))

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def supertip(self, lang: str) -> str:
        first, second = (self.tip_zh, self.tip_en) if lang == "zh" else (self.tip_en, self.tip_zh)
        return f"{first}\n{second}"


GROUPS = {"compute": ("计算", "Compute"), "team": ("团队", "Team"), "addin": ("加载项", "Add-in")}

BUTTONS = (
    Button(
        "refresh",
        "Refresh",
        "刷新",
        "Refresh",
        "计算并写入全部输出工作表：回款状态、跟进计划、诊断、拖款理由、问题（同 huikuan refresh）。",
        "Compute and write every output sheet: Status, Schedule, Diagnosis, Excuses, "
        "Problems (as huikuan refresh).",
        "compute",
    ),
    Button(
        "schedule",
        "HeaderFooterCurrentDate",
        "跟进计划",
        "Schedule",
        "从今天到月底的跟进计划：提醒、到期确认、催收、上报，写入“跟进计划”工作表。",
        "This month's follow-ups from today (reminders, due-day checks, chases, "
        "escalations) on the Schedule sheet.",
        "compute",
    ),
    Button(
        "diagnose",
        "FormulaEvaluate",
        "诊断",
        "Diagnose",
        "按业务员诊断完不成回款的六个原因，并给出针对具体客户的措施。",
        "Why each rep is behind: the six causes, with actions naming the customers.",
        "compute",
    ),
    Button(
        "check",
        "DataValidation",
        "检查",
        "Check",
        "检查输入表，列出每个有问题的单元格；不修改工作簿（同 huikuan check）。",
        "List every bad input cell; the workbook is not changed (as huikuan check).",
        "compute",
    ),
    Button(
        "new_month",
        "FileNew",
        "新月份",
        "New month",
        "生成下个月的计划（工作簿副本）：结转客户、未付承诺和未完成的措施。",
        "Next month's plan in a copy of the workbook: customers, unpaid commitments "
        "and open measures carried over.",
        "team",
    ),
    Button(
        "split",
        "WindowSplitToggle",
        "拆分",
        "Split",
        "为每位业务员生成只含其客户的工作簿，放在本工作簿旁的文件夹中。",
        "One workbook per rep holding only that rep's customers, in a folder beside this workbook.",
        "team",
    ),
    Button(
        "collect",
        "Consolidate",
        "汇总",
        "Collect",
        "把业务员交回的工作簿（放在“-returns”文件夹中）汇总成新的团队工作簿。",
        "Merge the reps' returned workbooks (in the “-returns” folder beside this one) "
        "into a new team workbook.",
        "team",
    ),
    Button(
        "self_test",
        "ErrorChecking",
        "自检",
        "Self-test",
        "检查 Excel 能否运行本加载项：设置文件及其编码、解释器、huikuan 与 xlwings 版本、"
        "xlwings 组件、=GAP(100,40)；逐项说明如何处理（同 huikuan addin doctor）。",
        "Check that Excel can run this add-in: its settings and their encoding, the "
        "interpreter, huikuan and xlwings versions, the xlwings DLL, =GAP(100,40); each "
        "with what to do (as huikuan addin doctor).",
        "addin",
    ),
)


def custom_ui(lang: str = "zh") -> bytes:
    """customUI/customUI14.xml: the 回款 tab with the buttons in `lang`."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    ET.register_namespace("", NAMESPACE)

    def q(tag: str) -> str:
        return f"{{{NAMESPACE}}}{tag}"

    root = ET.Element(q("customUI"))
    tabs = ET.SubElement(ET.SubElement(root, q("ribbon")), q("tabs"))
    tab = ET.SubElement(tabs, q("tab"), id="huikuan_tab", label="回款", keytip="HK")
    for key, (zh, en) in GROUPS.items():
        group = ET.SubElement(
            tab, q("group"), id=f"huikuan_{key}", label=zh if lang == "zh" else en
        )
        for button in BUTTONS:
            if button.group != key:
                continue
            ET.SubElement(
                group,
                q("button"),
                id=button.id,
                label=button.label(lang),
                size="large",
                imageMso=button.image,
                onAction=button.callback,
                screentip=f"{button.zh} {button.en}",
                supertip=button.supertip(lang),
            )
    ET.indent(root)
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")
