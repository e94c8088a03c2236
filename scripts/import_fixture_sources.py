"""The readable sources of the import fixtures in tests/bulk/fixtures/ (its README says how they are made).

`source/members.csv` says what every firm answered, in the import template's codes: it is what the
tests expect to find in the database. `--members` writes it anew from generated firms (the samples of
`assessment.questionnaire.samples`, with names, sizes and provinces chosen here); it may as well be
edited by hand. From it this script writes the other sources: the same answers as people type them
into a Chinese spreadsheet (option texts, 广东省, 30%, 1,200, "/" or 不适用 where a question does not
apply, a 备注 column), as UTF-8 tab-separated text, plus `errors.tsv` with five human mistakes.
`scripts/import_fixture_convert.py` then has LibreOffice open each one and save it as a fixture.

Run with the project's Python: .venv/bin/python scripts/import_fixture_sources.py [--members]
"""

from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402 - the path and settings above come first

django.setup()

from assessment.bulk.importing import EMAIL_COLUMN, SHARE_COLUMN, check_rows, columns  # noqa: E402
from assessment.content import CONTENT_DIR  # noqa: E402
from assessment.questionnaire.definition import Question, Questionnaire  # noqa: E402
from assessment.questionnaire.facts import derive_facts  # noqa: E402
from assessment.questionnaire.parser import load_yaml, parse_questionnaire  # noqa: E402
from assessment.questionnaire.rules import visible_questions  # noqa: E402
from assessment.questionnaire.samples import sample_answers  # noqa: E402

# The fixtures are answers to this version: versions are never changed once shipped.
VERSION = "2026.2"
SOURCE = ROOT / "tests" / "bulk" / "fixtures" / "source"
ZH = "zh-hans"
FIRMS = 40

CITIES = ("广州", "南宁", "包头", "武汉", "宁波", "上海", "成都", "乌鲁木齐")
TRADES = ("华南五金", "桂香食品", "草原物流", "楚天软件", "东海服饰")
INDUSTRIES = (
    "mfg_machinery",
    "mfg_food",
    "logistics",
    "software_it",
    "mfg_textiles",
    "retail",
    "hospitality",
    "crop_farming",
    "wholesale",
    "business_services",
    "mfg_electronics",
    "construction",
)
PROVINCES = ("guangdong", "guangxi", "inner_mongolia", "hubei", "zhejiang", "shanghai", "sichuan", "xinjiang")
# How people write a province: its official name, with the suffix the option text leaves out.
PROVINCE_SUFFIX = {
    "beijing": "市",
    "tianjin": "市",
    "shanghai": "市",
    "chongqing": "市",
    "inner_mongolia": "自治区",
    "guangxi": "壮族自治区",
    "tibet": "自治区",
    "ningxia": "回族自治区",
    "xinjiang": "维吾尔自治区",
}
EMPLOYEES = (8, 25, 60, 150, 280, 1200, 45, 2500)
EXPORT_SHARES = (0, 30, 0, 5, 12.5, 0, 30, 0)
NOTES = ("电话回访", "老会员，纸质问卷", "", "展会现场填写\n已与企业核对", "", "代填：秘书处")


def questionnaire() -> Questionnaire:
    return parse_questionnaire(load_yaml((CONTENT_DIR / f"questionnaire-{VERSION}.yaml").read_text(encoding="utf-8")))


# --- What the firms answered (members.csv, in codes) ------------------------------------------


def member_answers(qn: Questionnaire, n: int) -> dict[str, Any]:
    """The n-th firm: a generated answer set on a profile chosen to cover what real files hold."""
    rng = random.Random(n)  # noqa: S311 - sample data, not secrets
    employees = EMPLOYEES[n % len(EMPLOYEES)]
    profile: dict[str, Any] = {
        "firm_name": f"{CITIES[n % len(CITIES)]}{TRADES[n // len(CITIES) % len(TRADES)]}有限公司",
        "industry": INDUSTRIES[n % len(INDUSTRIES)],
        "province": PROVINCES[n % len(PROVINCES)],
        "employees": employees,
        # Some with a decimal, as 万元 often are; many in the thousands (written 22,400).
        "revenue": employees * rng.choice((20, 40, 80)) + (0.5 if n % 5 == 2 else 0),
        "total_assets": employees * rng.choice((15, 30, 60)),
        "export_share": EXPORT_SHARES[n % len(EXPORT_SHARES)],
        "export_plan": rng.choice(("no_plan", "exploring", "planned", "already")),
        "growth_ambition": ("steady", "grow", "lead")[n % 3],
    }
    answers = sample_answers(qn, profile, quality=(n % 10) / 10, seed=n)
    # Options whose texts hold the separators of a multiple-choice cell (、 and ，).
    if n % 4 == 1:
        answers["res_insurance"] = ["property", "liability", "cargo_credit"]
    if n % 6 == 5:
        answers["res_customer_ties"] = "walk_in"  # 我们主要做散客…，没有固定的企业客户
    if n % 9 == 4:
        answers["fin_channels"] = ["no_need"]
    if n % 3 == 0:
        answers["main_products"] = ("五金配件，紧固件", "米粉、酱料", "仓储，城配")[n % 9 // 3]
    if n == 7:
        answers["res_notes"] = "仓库2024年被淹过一次，\n已搬到高处"
    return answers


def write_members(qn: Questionnaire) -> None:
    header = columns(qn)
    with (SOURCE / "members.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for n in range(FIRMS):
            answers = member_answers(qn, n)
            share = "no" if n % 5 == 4 else "yes"
            email = f"contact{n:02d}@example.cn" if n % 4 == 2 else ""
            row = {SHARE_COLUMN: share, EMAIL_COLUMN: email, **{k: _code_cell(v) for k, v in answers.items()}}
            writer.writerow([row.get(key, "") for key in header])


def _code_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 4, as the importer stores it, not 4.0
    return str(value)


def read_members(qn: Questionnaire) -> list[dict[str, Any]]:
    """members.csv as {column: value}: numbers as numbers, choices of a multiple-choice question as lists."""
    with (SOURCE / "members.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    members = []
    for row in rows:
        member: dict[str, Any] = {SHARE_COLUMN: row[SHARE_COLUMN], EMAIL_COLUMN: row[EMAIL_COLUMN]}
        for key, cell in row.items():
            q = qn.questions.get(key)
            if q is None or cell == "":
                continue
            if q.type == "number":
                member[key] = float(cell) if "." in cell else int(cell)
            elif q.type == "multi":
                member[key] = cell.split(";")
            else:
                member[key] = cell
        members.append(member)
    return members


# --- The same answers as people write them ----------------------------------------------------


class Quoted(str):
    """A cell written in quotes: LibreOffice (with "quoted field as text") keeps it a text cell."""


def human_row(qn: Questionnaire, member: dict[str, Any], n: int, style: str) -> list[str]:
    """A firm's row as typed into a Chinese spreadsheet; `style` is excel, calc or unicode."""
    answers = {k: v for k, v in member.items() if k in qn.questions}
    visible = {q.key for q in visible_questions(qn, answers, derive_facts(qn, answers))}
    cells: list[str] = []
    for i, key in enumerate(columns(qn)):
        if key == SHARE_COLUMN:
            yes = member[key] == "yes"
            cells.append(("是", "同意", "是")[n % 3] if yes else ("否", "不同意")[n % 2])
        elif key == EMAIL_COLUMN:
            cells.append(member[key])
        elif key not in visible:
            # A question this firm is not asked: left blank, or marked as not applying.
            cells.append(("/", "不适用", "")[(n + i) % 3])
        elif key not in answers:
            cells.append("")
        else:
            cells.append(_human_cell(qn.questions[key], answers[key], n, style))
    return cells


def _human_cell(q: Question, value: Any, n: int, style: str) -> str:
    if q.type == "text":
        return str(value)
    if q.type == "number":
        return _human_number(q, value, n, style)
    texts = {o.key: o.text[ZH] for o in q.options}
    if q.type == "multi":
        separator = ("；", "、")[n % 2] if style == "unicode" else ("、", "，", "；")[n % 3]
        return separator.join(texts[k] for k in value)
    if q.key == "province":
        return texts[value] + PROVINCE_SUFFIX.get(value, "省")
    if q.type == "scale" and n % 2 and value in ("1", "2", "3", "4", "5"):
        return str(value)  # the number of the scale, not its words
    if q.type == "yesno" and n % 3 == 0:
        return "是" if value == "yes" else "否"
    return texts[value]


def _human_number(q: Question, value: Any, n: int, style: str) -> str:
    if q.unit and q.unit.get("en") == "%":
        # Typed with a percent sign (a spreadsheet makes it a percent cell holding 0.3), or not.
        return f"{value:g}" if value == 0 or n % 4 == 3 else f"{value:g}%"
    if value >= 1000:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"
        # One firm's head count typed into a cell formatted as text: a text cell "1,200".
        if style == "calc" and q.key == "employees" and value == 1200 and n % 2 == 1:
            return Quoted(text)
        return text
    return f"{value:g}" if isinstance(value, float) else str(value)


def write_tsv(name: str, rows: list[list[str]]) -> None:
    """UTF-8, tab-separated; a cell is quoted when it holds a tab, a line break or a quote, or is Quoted."""

    def field(cell: str) -> str:
        if isinstance(cell, Quoted) or any(c in cell for c in '\t\n"'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    text = "".join("\t".join(field(cell) for cell in row) + "\n" for row in rows)
    (SOURCE / name).write_text(text, encoding="utf-8")


def write_sources(qn: Questionnaire) -> None:
    members = read_members(qn)
    header = columns(qn)
    excel = [[*header, "备注"]]
    for n, member in enumerate(members):
        excel.append([*human_row(qn, member, n, "excel"), NOTES[n % len(NOTES)]])
    write_tsv("members-excel.tsv", excel)
    write_tsv("members-calc.tsv", [header, *(human_row(qn, m, n, "calc") for n, m in enumerate(members))])
    write_tsv("members-unicode.tsv", [header, *(human_row(qn, m, n, "unicode") for n, m in enumerate(members))])
    write_tsv("errors.tsv", [header, *error_rows(qn, members[:12])])


def error_rows(qn: Questionnaire, members: list[dict[str, Any]]) -> list[list[str]]:
    """Twelve good rows with exactly five mistakes, one per row (rows 3, 5, 7, 9 and 12 of the sheet)."""
    header = columns(qn)
    rows = [human_row(qn, member, n, "excel") for n, member in enumerate(members)]
    at = header.index
    rows[1][at("industry")] = "软件、互联网、信息技术服物"  # misspelt option (服务)
    rows[3][at("export_share")] = "130%"  # out of range
    rows[5][at("res_cash_months")] = ""  # a required answer left out
    rows[7][at("share_results")] = "可以"  # neither yes nor no
    del rows[10][at("legal_form")]  # a cell deleted with "shift cells left": the rest moves one column
    return rows


def main() -> None:
    qn = questionnaire()
    assert qn.version == VERSION
    SOURCE.mkdir(parents=True, exist_ok=True)
    if "--members" in sys.argv[1:]:
        write_members(qn)
    with (SOURCE / "members.csv").open(encoding="utf-8", newline="") as source:
        table = list(csv.reader(source))
    _rows, errors = check_rows(qn, table, "en")
    if errors:  # the truth the tests compare with must itself import
        sys.exit("members.csv does not import: " + "; ".join(f"row {e.row} {e.column}: {e.message}" for e in errors))
    write_sources(qn)
    print(f"wrote {SOURCE.relative_to(ROOT)}/: members.csv ({len(table) - 1} firms) and its renderings")


if __name__ == "__main__":
    main()
