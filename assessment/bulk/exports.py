"""Data going out of a campaign: its results as rows (CSV/XLSX, codes or labels) and zip bundles
of bulk reports with a manifest."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils import timezone, translation

from assessment.bulk import tables
from assessment.languages import list_separator
from assessment.questionnaire.definition import SHOWN_FACTS, Questionnaire, tr
from assessment.questionnaire.result import Result
from assessment.reports.labels import FACT_LABELS

# --- Campaign results and bulk report bundles ----------------------------------------------


def cell(value: Any) -> Any:
    """An answer as it goes into a spreadsheet cell: option codes joined by ';'."""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else value


def campaign_header(qn: Questionnaire) -> list[str]:
    areas = [a.key for a in qn.areas]
    return [
        "firm",
        "submitted_at",
        "overall",
        "overall_band",
        *(f"{key}_score" for key in areas),
        *(f"{key}_band" for key in areas),
        *SHOWN_FACTS,
        *(q.key for s in qn.sections for q in s.questions),
        "recommendations",
    ]


def campaign_rows(
    qn: Questionnaire, results: Iterable[tuple[Any, dict[str, Any]]], lang: str | None = None
) -> Iterator[list[Any]]:
    """The header, then one row per (assessment, answers), as the caller streams them in.

    Without `lang`: codes, for machines. With it: what a person reads, in that language (band
    labels, option texts, facts, recommendation titles), under the same column codes.
    """
    if lang is not None:
        yield from _labelled_rows(qn, campaign_rows(qn, results), lang)
        return
    areas = [a.key for a in qn.areas]
    keys = [q.key for s in qn.sections for q in s.questions]
    yield campaign_header(qn)
    for assessment, answers in results:
        result = assessment.outcome
        yield [
            assessment.firm_name,
            # The local (Asia/Shanghai) date, as the page, the PDF and the zip show it: the UTC
            # date is the day before for anything submitted between 00:00 and 08:00 there.
            f"{timezone.localdate(assessment.submitted_at):%Y-%m-%d}" if assessment.submitted_at else "",
            result.overall,
            result.overall_band or "",
            *(result.score_of(key) for key in areas),
            *(_band_of(result, key) for key in areas),
            *(result.facts.get(key) or "" for key in SHOWN_FACTS),
            *(cell(answers.get(key)) for key in keys),
            ";".join(result.action_keys()),
        ]


def _band_of(result: Result, area: str) -> str:
    found = result.scores.get(area)
    return (found.band or "") if found else ""


def _labelled_rows(qn: Questionnaire, rows: Iterator[list[Any]], lang: str) -> Iterator[list[Any]]:
    """The code rows turned into labels column by column: the columns stay where they were."""
    header = next(rows)
    yield header
    bands = {b.key: tr(b.label, lang) for b in qn.bands}
    titles = {r.key: tr(r.title, lang) for r in qn.recommendations}
    with translation.override(lang):
        facts = {fact: {code: str(label) for code, label in labels.items()} for fact, labels in FACT_LABELS.items()}
    separator = list_separator(lang)

    def labeller(column: str):
        if column.endswith("_band"):
            return lambda v: bands.get(v, v)
        if column in facts:
            return lambda v: facts[column].get(v, v)
        if column == "recommendations":
            return lambda v: separator.join(titles.get(k, k) for k in v.split(";")) if v else v
        q = qn.questions.get(column)
        if q is not None and q.options:
            texts = {o.key: tr(o.text, lang) for o in q.options}
            return lambda v: separator.join(texts.get(k, k) for k in v.split(";")) if isinstance(v, str) and v else v
        return None

    labellers = [labeller(column) for column in header]
    for row in rows:
        yield [f(value) if f is not None and value != "" else value for f, value in zip(labellers, row, strict=True)]


def write_bundle(target: IO[bytes], items: Iterable[dict[str, Any]], areas: list[str]) -> None:
    """A zip of the rendered reports with safe unique names and a manifest.csv of every item.

    Each item: firm, result (a Result or None), status, error, path (a stored PDF or None), filename.
    """
    used: set[str] = set()
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["firm", "overall", *(f"{a}_score" for a in areas), "file", "status", "error"])
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for item in items:
            name = ""
            if item["path"]:
                name = _unique(item["filename"], used)
                # PDFs barely compress; storing them saves time.
                bundle.write(item["path"], name, compress_type=zipfile.ZIP_STORED)
            result: Result = item["result"] or Result()
            writer.writerow(
                tables.safe_row(
                    [
                        item["firm"],
                        result.overall,
                        *(result.score_of(a) for a in areas),
                        name,
                        item["status"],
                        item["error"],
                    ]
                )
            )
        bundle.writestr("manifest.csv", "\ufeff" + manifest.getvalue())


def _unique(filename: str, used: set[str]) -> str:
    """Two firms with the same name get report.pdf, report-2.pdf, ... (compared case-blind)."""
    stem, dot, ext = filename.rpartition(".")
    candidate, n = filename, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{stem}-{n}{dot}{ext}"
    used.add(candidate.casefold())
    return candidate
