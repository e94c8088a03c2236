"""Parse a member list pasted or uploaded by an association: one member per line.

Pure functions (no database): each line is ``firm name, contact, e-mail[, language]``,
separated by commas or tabs (a block copied from Excel arrives tab-separated). Every
line is checked before anything is written, and each problem names its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from assessment import languages
from assessment.bulk import tables

MAX_MEMBERS = 1000
MAX_BYTES = 512 * 1024

SEPARATORS = str.maketrans({"，": ",", "；": ",", ";": ","})
HEADER_WORDS = {"firm", "firm name", "企业", "企业名称"}


@dataclass(frozen=True)
class Member:
    firm_name: str
    contact_name: str
    email: str
    language: str


class ListError(Exception):
    """The whole list is unusable (encoding, size); lines are not checked."""


def decode_upload(data: bytes) -> str:
    """A CSV's text, by the same deterministic rule as imports (tables.decode_text)."""
    if len(data) > MAX_BYTES:
        raise ListError(_("The file is larger than %(size)d KB.") % {"size": MAX_BYTES // 1024})
    if data.startswith(b"PK\x03\x04"):
        raise ListError(_("This looks like an Excel workbook: save it as CSV (UTF-8 or GBK) and upload that."))
    try:
        return tables.decode_text(data)
    except tables.TableError as exc:
        raise ListError(str(exc)) from None


def parse_members(text: str, default_language: str) -> tuple[list[Member], list[str]]:
    """Members and a list of problems ("Line 3: ..."). Use the members only if there are no problems."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_MEMBERS + 1:
        return [], [_("At most %(count)d members at a time; split the list.") % {"count": MAX_MEMBERS}]
    members: list[Member] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else ","
        if delimiter == ",":
            # Chinese input methods type full-width commas; semicolons are what some lists use.
            line = line.translate(SEPARATORS)
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter), [])]
        if number == 1 and cells and cells[0].lower() in HEADER_WORDS:
            continue  # a header row
        problems = []
        if len(cells) < 3 or len(cells) > 4:
            errors.append(
                _(
                    "Line %(line)d: expected firm name, contact, e-mail and optionally language; found %(count)d "
                    "values. Separate them with commas (, or ，), semicolons (; or ；) or tabs."
                )
                % {"line": number, "count": len(cells)}
            )
            continue
        firm, contact, email = cells[:3]
        language = cells[3] if len(cells) == 4 and cells[3] else default_language
        if not firm or len(firm) > 200:
            problems.append(_("the firm name is missing or longer than 200 characters"))
        if len(contact) > 100:
            problems.append(_("the contact name is longer than 100 characters"))
        try:
            if len(email) > 254:  # the longest address mail can carry, and the column's size
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not an e-mail address") % {"email": email[:80]})
        code = languages.from_name(language)
        if code is None:
            problems.append(
                _("language “%(language)s” is not one of %(codes)s")
                % {"language": language[:20], "codes": ", ".join(languages.CODES)}
            )
        key = email.lower()
        if key in seen:
            problems.append(_("the same e-mail address is on line %(line)d") % {"line": seen[key]})
        seen.setdefault(key, number)
        if problems:
            problems_text = languages.list_separator().join(problems)
            errors.append(_("Line %(line)d: %(problems)s.") % {"line": number, "problems": problems_text})
        else:
            assert code is not None  # a missing language is one of the problems above
            # Stored in lower case: the same address typed twice with different capitals is one member.
            members.append(Member(firm_name=firm, contact_name=contact, email=email.lower(), language=code))
    if not members and not errors:
        errors.append(_("The list is empty."))
    return members, errors
