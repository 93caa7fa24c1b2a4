"""The project's own documents: docs/spec.md holds every table, column key and label of
contract.py exactly; the README links the documents of the repository, not files outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huikuan import contract as ct

ROOT = Path(__file__).resolve().parent.parent
SPEC = (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")
TABLES = (*ct.INPUT_TABLES, *ct.SETTING_TABLES, *ct.OUTPUT_TABLES, ct.COLLECT)


def section(name: str, zh: str) -> list[list[str]]:
    """The rows of the markdown table under `### name (zh)` in docs/spec.md."""
    head = f"### {name} ({zh})\n"
    assert head in SPEC, head
    body = SPEC.split(head, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in body.splitlines()
        if line.startswith("|")
    ]
    return [r for r in rows[2:]]  # without the header and the rule


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_column_of_the_contract_is_in_the_spec(table: ct.Table) -> None:
    rows = section(table.name, table.zh)
    assert [r[:3] for r in rows] == [[c.key, c.en, c.zh] for c in table.columns]


@pytest.mark.parametrize(
    "choices",
    [
        ct.MEASURE_KINDS,
        ct.MEASURE_STATUSES,
        ct.CHANNELS,
        ct.RESULTS,
        ct.EXCUSE_KINDS,
        ct.PROMISE_STATUSES,
        ct.CAUSES,
        ct.ACTIONS,
        ct.COLLECT_EVENTS,
        ct.SETTING_KEYS,
    ],
)
def test_every_choice_is_in_the_spec(choices: tuple[ct.Choice, ...]) -> None:
    for choice in choices:
        assert f"{choice.key} {choice.zh}" in SPEC, choice


def test_the_readme_links_the_projects_own_documents() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)[^)]*\)", readme)
    assert "docs/spec.md" in links and "docs/method.md" in links
    for link in links:
        if "://" in link:
            continue
        assert not link.startswith(".."), link  # nothing outside the repository
        assert (ROOT / link).exists(), link
    for doc in ("spec.md", "method.md"):
        text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
        for link in re.findall(r"\]\(([^)#]+)[^)]*\)", text):
            assert "://" in link or (ROOT / "docs" / link).exists(), (doc, link)
