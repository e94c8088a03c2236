"""Answers collected offline: the import template and the checking of every row. Pure (no ORM).

A table has one header row of column codes (``share_results`` and every question key) and
one row per firm. Choices may be written as the option code or as the option text in
either language. Every cell is checked before anything is written; each problem names
its row, column, value and what is allowed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from assessment.languages import CONTENT_LANGUAGES, list_separator
from assessment.questionnaire.definition import PROFILE, Question, Questionnaire, tr
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.rules import missing_questions, visible_questions

SHARE_COLUMN = "share_results"
# Optional: the member's e-mail address, so a row finds the member already invited by it.
EMAIL_COLUMN = "email"
YES = {"yes", "y", "1", "true", "是", "同意"}
NO = {"no", "n", "0", "false", "否", "不同意"}
YES_OR_NO = YES | NO
# Several choices in one cell: semicolons or commas, ASCII or Chinese, or the 、 list mark.
MULTI_SPLIT = re.compile(r"[;；,，、|\n]")
MULTI_SPLIT_EDGE = re.compile(r"^[\s;；,，、|]+")
# What people write in a question that does not apply to their firm, as on paper forms. It counts
# as no answer; where the question applies and must be answered, it is an error. An option with
# such a text (a question whose answer may be "不适用") is taken as that option.
NOT_APPLICABLE = {"/", "-", "—", "n/a", "不适用", "不涉及"}


MAX_SHOWN_ERRORS = 500
SHIFT_ERRORS = 3  # wrong values in one row from which a shifted row may be the likelier story


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    answers: dict[str, Any]
    share: bool
    email: str = ""


def columns(qn: Questionnaire) -> list[str]:
    return [SHARE_COLUMN, EMAIL_COLUMN, *(q.key for s in qn.sections for q in s.questions)]


def allowed_text(q: Question, lang: str) -> str:
    """What a cell of this question may hold, for the legend and for error messages."""
    if q.options:
        choices = list_separator(lang).join(f"{o.key} = {tr(o.text, lang)}" for o in q.options)
        if q.type == "multi":
            return _("one or more of (separated by ;): %(choices)s") % {"choices": choices}
        return _("one of: %(choices)s") % {"choices": choices}
    if q.type == "number":
        kind = _("a whole number") if q.integer else _("a number")
        return _("%(kind)s from %(min)s to %(max)s") % {"kind": kind, "min": _num(q.min), "max": _num(q.max)}
    return _("text, at most %(count)d characters") % {"count": q.max_length or 0}


def legend_rows(qn: Questionnaire, lang: str) -> list[list[str]]:
    """One row per column: code, question in both languages, required, allowed values."""
    rows = [[_("Column"), _("Question (Chinese)"), _("Question (English)"), _("Required"), _("Allowed values")]]
    rows.append(
        [
            SHARE_COLUMN,
            "是否同意协会查看本企业的单独结果",
            "May the association see this firm's own results?",
            _("yes"),
            "yes / no",
        ]
    )
    rows.append(
        [
            EMAIL_COLUMN,
            "联系人电子邮箱（用于对应已邀请的会员）",
            "Contact e-mail (matches the member already invited)",
            _("no"),
            _("an e-mail address"),
        ]
    )
    for section in qn.sections:
        for q in section.questions:
            required = _("yes") if q.required else _("no")
            allowed = allowed_text(q, lang)
            if q.show_if:
                required = _("if it applies")
                allowed = _("%(allowed)s; where it does not apply: empty, / or 不适用") % {"allowed": allowed}
            rows.append([q.key, *(tr(q.text, code) for code in CONTENT_LANGUAGES), required, allowed])
    return rows


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


PROVINCE_SUFFIX = re.compile(r"(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")


# A character a choice may end before: what MULTI_SPLIT_EDGE strips from the start of the rest.
CHOICE_END = re.compile(r"[\s;；,，、|]")
REMEMBERED_TYPES = ("single", "scale", "yesno", "multi", "number")  # not free text


class _Matcher:
    """Option lookup by code or by its text in either language, built once per import."""

    MEMO_SIZE = 20_000  # distinct cells remembered (choices repeat; a file of 10,000 rows has a few thousand)

    def __init__(self, qn: Questionnaire):
        self.by_question: dict[str, dict[str, str]] = {}
        for q in qn.questions.values():
            lookup: dict[str, str] = {}
            for o in q.options:
                lookup[_norm(o.key)] = o.key
                for text in o.text.values():
                    lookup.setdefault(_norm(text), o.key)
            self.by_question[q.key] = lookup
        # convert() of a cell depends on nothing else: 10,000 rows hold few distinct ones.
        self.converted: dict[tuple[str, str], Any] = {}

    def options(self, q: Question, cell: str) -> list[str | None]:
        """Several choices in one cell, written as codes or option texts.

        Option texts may themselves hold separators (财产险（厂房、设备、存货）), so the longest
        text that starts the rest of the cell and ends where a choice may end is taken first;
        only what matches no text is split at the separators. An unknown part comes back as None.
        """
        lookup = self.by_question[q.key]
        rest = _norm(cell.replace("\n", ";"))
        found: list[str | None] = []
        while rest := MULTI_SPLIT_EDGE.sub("", rest):
            # Where a choice may end: at the end of the cell or before a separator.
            ends = [m.start() for m in CHOICE_END.finditer(rest)]
            ends.append(len(rest))
            match = next((rest[:end] for end in reversed(ends) if rest[:end] in lookup), None)
            if match is None:
                found.append(None)
                break
            found.append(lookup[match])
            rest = rest[len(match) :]
        return found

    def option(self, q: Question, cell: str) -> str | None:
        found = self.by_question[q.key].get(_norm(cell))
        if found is None and q.key == "province":
            # People write the official name: 广东省, 上海市, 广西壮族自治区, 内蒙古自治区.
            found = self.by_question[q.key].get(_norm(PROVINCE_SUFFIX.sub("", cell.strip())))
        return found

    def convert(self, q: Question, cell: str) -> Any:
        """convert(q, cell, self), remembered for choice and number cells."""
        if q.type not in REMEMBERED_TYPES:
            return convert(q, cell, self)
        memo = (q.key, cell)
        known = self.converted.get(memo)
        if known is None:
            try:
                known = convert(q, cell, self)
            except ValueError:
                known = ValueError
            if len(self.converted) < self.MEMO_SIZE:
                self.converted[memo] = known
        if known is ValueError:
            raise ValueError
        return list(known) if isinstance(known, list) else known  # each row its own list


def convert(q: Question, cell: str, matcher: _Matcher) -> Any:
    """The stored answer for a non-empty cell; ValueError(message) if the cell is not allowed."""
    if q.type in ("single", "scale", "yesno"):
        key = matcher.option(q, cell)
        if key is None and q.type == "yesno" and _norm(cell) in YES_OR_NO:
            key = "yes" if _norm(cell) in YES else "no"
        if key is None:
            raise ValueError
        return key
    if q.type == "multi":
        keys = matcher.options(q, cell)
        if not keys or None in keys:
            raise ValueError
        keys = list(dict.fromkeys(keys))
        exclusive = {o.key for o in q.options if o.exclusive}
        if len(keys) > 1 and exclusive & set(keys):
            raise ValueError
        return keys
    if q.type == "number":
        # Full-width digits and signs as Chinese input methods type them; thousands separators;
        # "30%" / "30 %" (what a spreadsheet shows for a percent cell) where the unit is percent.
        text = unicodedata.normalize("NFKC", cell).replace(",", "").replace(" ", "")
        if text.endswith("%") and q.unit and "%" in q.unit.values():
            text = text[:-1]
        assert q.min is not None and q.max is not None  # the parser requires both for a number question
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
        if not number.is_finite() or not (q.min <= number <= q.max):
            raise ValueError
        if q.integer and number != number.to_integral_value():
            raise ValueError
        return int(number) if number == number.to_integral_value() else float(number)
    if len(cell) > (q.max_length or 0):
        raise ValueError
    return cell


def check_rows(qn: Questionnaire, table: list[list[str]], lang: str) -> tuple[list[ImportRow], list[RowError]]:
    """Every row converted to answers, or the list of every problem. Use rows only without errors."""
    if not table:
        return [], [RowError(1, "", "", _("The file is empty."))]
    known = set(columns(qn))
    # Columns the template does not have (a 备注 column) are ignored; the caller says so once.
    header = [name if name in known else "" for name in (_norm(cell) for cell in table[0])]
    errors: list[RowError] = []
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        errors.append(RowError(1, "", "", _("a column appears twice")))
    needed = {SHARE_COLUMN} | {q.key for q in qn.questions.values() if q.required and not q.show_if}
    for name in sorted(needed - set(header)):
        errors.append(RowError(1, name, "", _("required column is missing")))
    if errors:
        return [], errors
    if len(table) < 2:
        return [], [RowError(2, "", "", _("The file has a header but no rows."))]

    matcher = _Matcher(qn)
    remembered = matcher.converted
    profile_keys = {q.key for q in qn.questions.values() if q.section == PROFILE}
    rows: list[ImportRow] = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        # A row may be shorter or longer than the header (the shift check below says so).
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
        row_errors: list[RowError] = []
        share_cell = _norm(values.get(SHARE_COLUMN, ""))
        if share_cell not in YES_OR_NO:
            row_errors.append(RowError(number, SHARE_COLUMN, values.get(SHARE_COLUMN, ""), _("yes or no")))
        email = values.get(EMAIL_COLUMN, "").lower()
        if email and not _is_email(email):
            row_errors.append(RowError(number, EMAIL_COLUMN, email[:100], _("an e-mail address")))
        answers: dict[str, Any] = {}
        marked: dict[str, str] = {}  # cells that say the question does not apply ("/", 不适用)
        for key, cell in values.items():
            if key in (SHARE_COLUMN, EMAIL_COLUMN) or not cell:
                continue
            seen = remembered.get((key, cell))
            if seen is not None and seen is not ValueError:  # most cells were seen before
                answers[key] = list(seen) if type(seen) is list else seen
                continue
            q = qn.questions[key]
            if _marks_not_applicable(q, cell, matcher):
                marked[key] = cell
                continue
            try:
                answers[key] = matcher.convert(q, cell)
            except ValueError:
                row_errors.append(RowError(number, key, cell[:100], allowed_text(q, lang)))
        if len(row_errors) >= SHIFT_ERRORS:
            # A cell deleted or added shifts every later value: say that, not 38 wrong values.
            shifted = _shifted_cell(qn, header, cells, matcher, number)
            if shifted is not None:
                row_errors = [shifted]
        if not row_errors:
            facts = derive_facts(qn, answers)
            shown = visible_questions(qn, answers, facts)
            visible = {q.key for q in shown}
            # Cells for questions that do not apply to this firm are left out, as the wizard does.
            kept = {k: v for k, v in answers.items() if k in visible}
            if any(k in profile_keys for k in answers.keys() - kept.keys()):
                # A hidden profile answer left out can hide or show other questions: ask again.
                missing = missing_questions(qn, kept, facts)
            else:  # the same profile, the same facts: the same visible questions
                missing = [q for q in shown if q.required and kept.get(q.key) in (None, "", [])]  # not is_answered
            answers = kept
            for q in missing:
                if q.key in marked:
                    message = _("this question applies to this firm: %s") % allowed_text(q, lang)
                else:
                    message = _("required for this firm: %s") % allowed_text(q, lang)
                row_errors.append(RowError(number, q.key, marked.get(q.key, "")[:100], message))
        if row_errors:
            errors.extend(row_errors)
            if len(errors) > MAX_SHOWN_ERRORS:
                break
            continue
        rows.append(ImportRow(row=number, answers=answers, share=share_cell in YES, email=email))
    return rows, errors[: MAX_SHOWN_ERRORS + 1]  # one more than shown says there are more


def _is_email(text: str) -> bool:
    try:
        if len(text) > 254:
            raise ValidationError("too long")
        validate_email(text)
    except ValidationError:
        return False
    return True


def _marks_not_applicable(q: Question, cell: str, matcher: _Matcher) -> bool:
    """Whether the cell says the question does not apply ("/", 不适用) rather than naming one of its options."""
    if len(cell) > 3 or unicodedata.normalize("NFKC", cell).strip().casefold() not in NOT_APPLICABLE:
        return False  # the length first: this runs for every cell of every row
    if not q.options:
        return True  # never text to store, nor a number
    try:
        convert(q, cell, matcher)
    except ValueError:
        return True
    return False


def _fits(qn: Questionnaire, column: str, cell: str, matcher: _Matcher) -> bool:
    """Whether a cell could stand in this column, whatever the rest of its row says."""
    cell = cell.strip()
    if not cell or not column:  # empty, or a column the template does not have (ignored)
        return True
    if column == SHARE_COLUMN:
        return _norm(cell) in YES | NO
    if column == EMAIL_COLUMN:
        return _is_email(cell.lower())
    q = qn.questions[column]
    if _marks_not_applicable(q, cell, matcher):
        return True
    try:
        convert(q, cell, matcher)
    except ValueError:
        return False
    return True


def _shifted_cell(
    qn: Questionnaire, header: list[str], cells: list[str], matcher: _Matcher, number: int
) -> RowError | None:
    """The error for a row whose values fit their columns once one cell is put back or taken out.

    People delete a cell with "shift cells left" (or insert one), so every later value sits one
    column off; the row keeps its length when the file pads it (CSV from Excel or LibreOffice).
    Each hypothesis "a cell is missing (or extra) at column p" is checked with prefix sums of
    whether cell i fits column i, i + 1 or i - 1: three checks per cell. None if no shift by one
    cell explains every wrong value.
    """
    width = len(header)
    padded = cells + [""] * (width - len(cells))
    size = len(padded)

    def misfit(i: int, j: int) -> int:
        if j < 0 or j >= width:
            return int(bool(padded[i].strip()))  # a value where the header has no column
        return int(not _fits(qn, header[j], padded[i], matcher))

    same = [misfit(i, i) for i in range(size)]
    before = [0]  # before[p]: misfits of cells 0..p-1 in their own columns
    for bad in same:
        before.append(before[-1] + bad)
    missing_after = [0] * (size + 1)  # cells p.. read one column to the right
    extra_after = [0] * (size + 1)  # cells p.. read one column to the left
    for i in range(size - 1, -1, -1):
        missing_after[i] = missing_after[i + 1] + misfit(i, i + 1)
        extra_after[i] = extra_after[i + 1] + misfit(i, i - 1)
    missing = [p for p in range(min(size, width)) if before[p] + missing_after[p] == 0]
    extra = [p for p in range(size) if before[p] + extra_after[p + 1] == 0]
    columns_named = [p for p in missing if header[p]] or missing
    if columns_named:
        first, last = header[columns_named[0]], header[columns_named[-1]]
        value = padded[columns_named[0]].strip()[:100]
        if first == last:
            message = _("a cell seems to be missing here: the values from this column on are one column to the left")
        else:
            message = _(
                "a cell seems to be missing between the columns %(first)s and %(last)s: "
                "the values after it are one column to the left"
            ) % {"first": first, "last": last}
        return RowError(number, first, value, message)
    if extra:
        p = extra[0]
        message = _("this cell seems to be one too many: the values from this column on are one column to the right")
        return RowError(number, header[p] if p < width else "", padded[p].strip()[:100], message)
    return None


def unknown_columns(qn: Questionnaire, header: list[str]) -> list[str]:
    """Header cells the template does not have, as written (they are ignored)."""
    known = set(columns(qn))
    return [cell.strip() for cell in header if cell.strip() and _norm(cell) not in known]
