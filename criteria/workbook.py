"""The offline workbook: an assessment as an XLSX file to fill in offline, and back again.

`build_workbook` writes one row per criterion (answer cells with drop-downs, the rubric and the
guiding questions beside them), the office profile on its own sheet, and a hidden, signed
record of what was downloaded (the assessment, each response's and the profile's version).

`read_workbook` checks an upload (the evidence upload checks, then the signature) and keeps its
cells as data; nothing is validated or written yet. `plan_upload` compares those cells with the
versions they were downloaded from and with what is stored now, validating with the very forms
the web pages use (ResponseForm, ProfileForm): every change, every error with its sheet, row and
column, every conflict with what others saved since, merged three ways as a web save is.
`apply_plan` writes it through `workflow.save_response` / `workflow.save_profile`, so history,
versions and merges behave exactly as the web's. Both run on the stored upload, never on values
sent back by the preview page.
"""

from __future__ import annotations

import copy
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import workflow
from .forms import FundingFormSet, ProfileForm, ResponseForm
from .models import CriterionResponse, Level
from .uploads import check_upload

SIGNING_SALT = "criteria.workbook"
FORMAT = 1
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
META_SHEET = "ovp-meta"

# The answer fields a workbook carries, in their column order; the rest of a row is reading.
ANSWER_FIELDS = ["level", "confidence", "current_strengths", "opportunities",
                 "not_applicable", "not_applicable_reason"]
TEXT_ANSWERS = {"current_strengths", "opportunities", "not_applicable_reason"}
FIRST_ANSWER_COLUMN = 3  # A: number, B: criterion
PROFILE_FIELDS = list(ProfileForm.Meta.fields)
PROFILE_TEXT_FIELDS = {"budget_note", "staff_note", "focus_population", "mandate_goals", "notes"}
PROFILE_VALUE_COLUMN = 2  # A: fact, B: value, C: help, D (hidden): the field's key


class WorkbookRefused(Exception):
    """The file as a whole cannot be used (not ours, tampered with, another assessment)."""


def _sheet_titles():
    """Sheet names in the active language (at most 31 characters, no []:*?/\\)."""
    return {
        "readme": _("Read me")[:31],
        "answers": _("Answers")[:31],
        "profile": _("Office profile")[:31],
        "lists": _("Lists")[:31],
    }


def answer_labels():
    return {
        "number": _("No."),
        "criterion": _("Criterion"),
        "level": _("Level"),
        "confidence": _("Confidence"),
        "current_strengths": _("Current strengths"),
        "opportunities": _("Opportunities to enhance effectiveness"),
        "not_applicable": _("Does not apply"),
        "not_applicable_reason": _("Why it does not apply"),
        "rubric": _("Rubric levels"),
        "questions": _("Guiding questions"),
    }


def profile_label(name):
    return capfirst(str(ProfileForm.base_fields[name].label))


def _yes_no():
    return [_("Yes"), _("No")]


def _yes_no_unknown():
    return [_("Yes"), _("No"), _("Not known")]


def _profile_choices(name):
    """(value, label) pairs offered for a profile choice field, without the blank one."""
    return [(v, str(label)) for v, label in ProfileForm.base_fields[name].choices if v != ""]


def _framework_text(obj, name):
    """Framework content in the active language; English marked when not yet translated."""
    from .templatetags.content_i18n import untranslated

    if untranslated(obj, name):
        return f"{getattr(obj, f'{name}_en')} ({_('not yet translated')})"
    return getattr(obj, name) or ""


def _text_cell(cell, value):
    """Put text in a cell as text: a string typed cell is shown, never run as a formula."""
    value = "" if value is None else ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell.value = value or None
    if value:
        cell.data_type = "s"


# --- download -------------------------------------------------------------------------------


def build_workbook(assessment, *, user, language):
    """(filename, content_type, bytes) of the assessment's workbook in `language`."""
    with override(language):
        return _build(assessment, user=user, language=language)


def _build(assessment, *, user, language):
    responses = list(
        CriterionResponse.objects.filter(assessment=assessment)
        .select_related("criterion")
        .prefetch_related("criterion__rubric_levels", "criterion__guiding_questions")
        .order_by("criterion__number")
    )
    profile = getattr(assessment, "profile", None)
    titles = _sheet_titles()
    labels = answer_labels()
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE7F0")
    answer_fill = PatternFill("solid", fgColor="FFF8DC")
    unlocked = Protection(locked=False)

    book = Workbook()
    readme = book.active
    readme.title = titles["readme"]
    answers = book.create_sheet(titles["answers"])
    facts = book.create_sheet(titles["profile"])
    lists = book.create_sheet(titles["lists"])
    lists.sheet_state = "hidden"
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"

    # Drop-down lists live on a hidden sheet (a list typed into the rule is limited to 255
    # characters and breaks on commas in a translation).
    list_columns = {}

    def add_list(key, values):
        column = len(list_columns) + 1
        for row, value in enumerate(values, start=1):
            _text_cell(lists.cell(row=row, column=column), value)
        letter = get_column_letter(column)
        list_columns[key] = f"'{titles['lists']}'!${letter}$1:${letter}${len(values)}"

    add_list("level", [str(label) for _v, label in Level.choices])
    add_list("confidence", [str(label) for _v, label in CriterionResponse.Confidence.choices])
    add_list("yes_no", _yes_no())
    add_list("yes_no_unknown", _yes_no_unknown())
    for name in PROFILE_FIELDS:
        if isinstance(ProfileForm.base_fields[name], forms.TypedChoiceField):
            add_list(name, [label for _v, label in _profile_choices(name)])

    def drop_down(sheet, key, ref):
        rule = DataValidation(type="list", formula1=list_columns[key], allow_blank=True,
                              showErrorMessage=True, errorTitle=_("Not in the list"),
                              error=_("Choose a value from the list."))
        sheet.add_data_validation(rule)
        rule.add(ref)

    # Read me
    editable = assessment.is_editable
    lines = [
        (_("OVP Assess offline workbook"), True),
        (str(assessment), False),
        (_("Status: %(status)s") % {"status": assessment.get_status_display()}, False),
        (_("Downloaded %(when)s by %(who)s") % {
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"),
            "who": user.display_name if user.is_authenticated else ""}, False),
        ("", False),
        (_("How to use it"), True),
        (_("1. On the sheet “%(answers)s”, fill in the yellow cells of each criterion: the "
           "level (from the list), your confidence, current strengths and opportunities, or "
           "say that the criterion does not apply and why. The rubric and the guiding "
           "questions are beside each row.") % {"answers": titles["answers"]}, False),
        (_("2. On the sheet “%(profile)s”, correct the office's facts in the yellow cells.")
         % {"profile": titles["profile"]}, False),
        (_("3. Upload the file on the assessment's page (“Upload a filled workbook”). You "
           "will see every change before anything is saved, and any conflict with what "
           "colleagues saved since you downloaded it."), False),
        (_("Keep the rows and sheets as they are: do not add, move or delete rows, and do not "
           "use formulas in the answer cells. Funding sources and evidence are edited on the "
           "web pages."), False),
        (_("Limits are the web form's: answers at most 20,000 characters each; profile notes "
           "2,000 or 5,000."), False),
    ]
    if not editable:
        lines.append((_("This assessment is %(status)s: this copy is for reading; it cannot "
                        "be uploaded back.") % {"status": assessment.get_status_display()
                                                .lower()}, True))
    for row, (text, strong) in enumerate(lines, start=1):
        cell = readme.cell(row=row, column=1)
        _text_cell(cell, text)
        cell.alignment = wrap
        if strong:
            cell.font = bold
    readme.column_dimensions["A"].width = 110
    readme.protection.sheet = True

    # Answers: one row per criterion
    columns = ["number", "criterion", *ANSWER_FIELDS, "rubric", "questions"]
    widths = {"number": 5, "criterion": 28, "level": 20, "confidence": 14,
              "current_strengths": 50, "opportunities": 50, "not_applicable": 12,
              "not_applicable_reason": 30, "rubric": 60, "questions": 50}
    for col, key in enumerate(columns, start=1):
        cell = answers.cell(row=1, column=col)
        _text_cell(cell, labels[key])
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
        answers.column_dimensions[get_column_letter(col)].width = widths[key]
    answers.freeze_panes = "C2"
    level_names = dict(Level.choices)
    confidence_names = dict(CriterionResponse.Confidence.choices)
    rows = {}
    for row, response in enumerate(responses, start=2):
        criterion = response.criterion
        rows[str(criterion.number)] = [response.pk, response.version, row]
        answers.cell(row=row, column=1, value=criterion.number)
        _text_cell(answers.cell(row=row, column=2), _framework_text(criterion, "name"))
        values = {
            "level": str(level_names[response.level]) if response.level is not None else "",
            "confidence": str(confidence_names.get(response.confidence, "")),
            "current_strengths": response.current_strengths,
            "opportunities": response.opportunities,
            "not_applicable": _("Yes") if response.not_applicable else _("No"),
            "not_applicable_reason": response.not_applicable_reason,
        }
        rubric = "\n".join(
            f"{level_names[r.level]}: {_framework_text(r, 'descriptor')}"
            for r in criterion.rubric_levels.all()
        )
        questions = "\n".join(f"• {_framework_text(q, 'text')}"
                              for q in criterion.guiding_questions.all())
        values["rubric"], values["questions"] = rubric, questions
        for col, key in enumerate(columns[2:], start=3):
            cell = answers.cell(row=row, column=col)
            _text_cell(cell, values[key])
            cell.alignment = wrap
            if key in ANSWER_FIELDS:
                cell.protection, cell.fill = unlocked, answer_fill
        answers.cell(row=row, column=2).alignment = wrap
        answers.row_dimensions[row].height = 150
    last = len(responses) + 1
    if responses:
        col = {key: get_column_letter(i) for i, key in enumerate(columns, start=1)}
        drop_down(answers, "level", f"{col['level']}2:{col['level']}{last}")
        drop_down(answers, "confidence", f"{col['confidence']}2:{col['confidence']}{last}")
        drop_down(answers, "yes_no", f"{col['not_applicable']}2:{col['not_applicable']}{last}")
    _protect(answers)

    # Office profile: one fact per row
    profile_rows = {}
    for col, (text, width) in enumerate(
            [(_("Fact"), 42), (_("Value"), 40), (_("What to enter"), 60), ("key", 4)], start=1):
        cell = facts.cell(row=1, column=col)
        _text_cell(cell, text)
        cell.font, cell.fill = bold, head_fill
        facts.column_dimensions[get_column_letter(col)].width = width
    facts.column_dimensions["D"].hidden = True
    facts.freeze_panes = "B2"
    if profile is not None:
        for row, name in enumerate(PROFILE_FIELDS, start=2):
            profile_rows[name] = row
            form_field = ProfileForm.base_fields[name]
            _text_cell(facts.cell(row=row, column=1), profile_label(name))
            value_cell = facts.cell(row=row, column=PROFILE_VALUE_COLUMN)
            value = getattr(profile, name)
            hint = str(form_field.help_text or "")
            if isinstance(form_field, forms.TypedChoiceField):
                _text_cell(value_cell, dict(_profile_choices(name)).get(value, ""))
                drop_down(facts, name, value_cell.coordinate)
                hint = hint or _("Choose from the list.")
            elif isinstance(form_field, forms.NullBooleanField):
                _text_cell(value_cell, {True: _("Yes"), False: _("No")}.get(value, _("Not known")))
                drop_down(facts, "yes_no_unknown", value_cell.coordinate)
                hint = hint or _("Yes, No or Not known.")
            elif isinstance(form_field, (forms.DecimalField, forms.IntegerField)):
                value_cell.value = value
                hint = hint or _("A number.")
            else:
                _text_cell(value_cell, value)
                limit = getattr(form_field, "max_length", None)
                if limit and not hint:
                    hint = _("Text, at most %(n)s characters.") % {
                        "n": number_format(limit, force_grouping=True)}
            value_cell.protection, value_cell.fill = unlocked, answer_fill
            value_cell.alignment = wrap
            _text_cell(facts.cell(row=row, column=3), hint)
            facts.cell(row=row, column=3).alignment = wrap
            facts.cell(row=row, column=1).alignment = wrap
            _text_cell(facts.cell(row=row, column=4), name)
    _protect(facts)

    payload = {
        "f": FORMAT, "a": assessment.pk, "l": language, "u": user.pk,
        "t": timezone.now().isoformat(),
        "s": {"answers": titles["answers"], "profile": titles["profile"]},
        "r": rows,
        "p": [profile.pk, profile.version, profile_rows] if profile is not None else None,
    }
    _text_cell(meta.cell(row=1, column=1), signing.dumps(payload, salt=SIGNING_SALT,
                                                        compress=True))
    meta.protection.sheet = True

    buffer = io.BytesIO()
    book.save(buffer)
    stem = slugify(f"{assessment.subject} {assessment.round.code}")[:80] or "assessment"
    return f"ovp-workbook-{stem}-{assessment.pk}.xlsx", CONTENT_TYPE, buffer.getvalue()


def _protect(sheet):
    """Only the answer cells change; columns and rows may still be resized."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


# --- upload ---------------------------------------------------------------------------------

_DTD = re.compile(rb"<!(doctype|entity)", re.IGNORECASE)


def _cell_value(cell):
    value = cell.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_workbook(upload, assessment):
    """The upload's cells as data (JSON), or ValidationError / WorkbookRefused saying why not.

    Checks, in order: the name, then the evidence upload checks (size, a sound XLSX package
    without macros or markup), no DTDs in any part, then the signed record: ours, untouched,
    and of this assessment.
    """
    name = upload.name or ""
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(
            _("“%(name)s” is not an XLSX workbook. Upload the .xlsx file downloaded from this "
              "assessment."), params={"name": name}, code="file_type")
    check_upload(upload)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in archive.infolist():
                if _DTD.search(archive.read(entry)):
                    raise WorkbookRefused(_("“%(name)s” holds XML declarations a workbook "
                                            "never needs; it was not read.") % {"name": name})
        book = load_workbook(io.BytesIO(data), data_only=False)
    except WorkbookRefused:
        raise
    except Exception:  # noqa: BLE001 - any reader failure means "not a workbook we can read"
        raise WorkbookRefused(_("“%(name)s” could not be read as a workbook.")
                              % {"name": name}) from None
    if META_SHEET not in book.sheetnames:
        raise WorkbookRefused(_(
            "“%(name)s” is not a workbook downloaded from OVP Assess (it has no signed "
            "record). Download the workbook from the assessment's page and fill that one in."
        ) % {"name": name})
    token = book[META_SHEET].cell(row=1, column=1).value
    try:
        payload = signing.loads(str(token or ""), salt=SIGNING_SALT)
    except signing.BadSignature:
        raise WorkbookRefused(_(
            "The signed record inside “%(name)s” does not match: it was changed, or the "
            "workbook comes from another site. Download a fresh workbook."
        ) % {"name": name}) from None
    if payload.get("f") != FORMAT or payload.get("a") != assessment.pk:
        raise WorkbookRefused(_(
            "“%(name)s” is the workbook of another assessment. Upload it on that assessment's "
            "page, or download this assessment's workbook."
        ) % {"name": name})

    problems = []
    titles = payload["s"]
    language = payload["l"]
    with override(language):
        labels = answer_labels()
    answers = {}
    sheet = book[titles["answers"]] if titles["answers"] in book.sheetnames else None
    if sheet is None:
        raise WorkbookRefused(_("The sheet “%(sheet)s” is missing from “%(name)s”.")
                              % {"sheet": titles["answers"], "name": name})
    for number, (_pk, _version, row) in payload["r"].items():
        found = _cell_value(sheet.cell(row=row, column=1))
        if str(found).strip() != number:
            problems.append(_problem(titles["answers"], row, 1, labels["number"], _(
                "this row should be criterion %(n)s; rows were added, moved or deleted. Put "
                "them back as they were, or copy your answers into a fresh workbook.")
                % {"n": number}))
            continue
        cells = {}
        for offset, key in enumerate(ANSWER_FIELDS):
            cell = sheet.cell(row=row, column=FIRST_ANSWER_COLUMN + offset)
            if cell.data_type == "f":
                problems.append(_problem(titles["answers"], row, cell.column, labels[key], _(
                    "a formula is not accepted here; type the value itself.")))
                cells[key] = None
                continue
            cells[key] = _cell_value(cell)
        answers[number] = {"row": row, "cells": cells}

    profile = {}
    if payload.get("p"):
        _ppk, _pversion, rows = payload["p"]
        sheet = book[titles["profile"]] if titles["profile"] in book.sheetnames else None
        if sheet is None:
            raise WorkbookRefused(_("The sheet “%(sheet)s” is missing from “%(name)s”.")
                                  % {"sheet": titles["profile"], "name": name})
        with override(language):
            for field_name, row in rows.items():
                if field_name not in PROFILE_FIELDS:
                    continue
                if sheet.cell(row=row, column=4).value != field_name:
                    problems.append(_problem(titles["profile"], row, 1, profile_label(field_name),
                                             _("this row should hold “%(fact)s”; rows were "
                                               "added, moved or deleted. Put them back as they "
                                               "were.") % {"fact": profile_label(field_name)}))
                    continue
                cell = sheet.cell(row=row, column=PROFILE_VALUE_COLUMN)
                if cell.data_type == "f":
                    problems.append(_problem(titles["profile"], row, cell.column,
                                             profile_label(field_name),
                                             _("a formula is not accepted here; type the value "
                                               "itself.")))
                    continue
                profile[field_name] = {"row": row, "value": _cell_value(cell)}
    return {"meta": payload, "answers": answers, "profile": profile, "problems": problems}


def _problem(sheet, row, column, label, message):
    return {"sheet": sheet, "row": row, "column": get_column_letter(column),
            "field": str(label), "message": str(message)}


# --- from cells to form data ----------------------------------------------------------------


def _norm(value):
    return str(value).strip().casefold() if value is not None else ""


def _choice_lookup(pairs, language):
    """label or code (case-insensitive), in the workbook's language or English → code."""
    lookup = {}
    for lang in (language, "en"):
        with override(lang):
            for value, label in pairs():
                lookup.setdefault(_norm(label), value)
                lookup.setdefault(_norm(value), value)
    return lookup


def _yes_no_value(raw, language, allow_unknown):
    """True / False / None, or "invalid"."""
    text = _norm(raw)
    if raw is None or text == "" or raw is True or raw is False:
        return None if (raw is None or text == "") and allow_unknown else bool(raw)
    for lang in (language, "en"):
        with override(lang):
            if text in {_norm(_("Yes")), "true", "1", "x"}:
                return True
            if text in {_norm(_("No")), "false", "0"}:
                return False
            if allow_unknown and text in {_norm(_("Not known")), "unknown"}:
                return None
    return "invalid"


_LEVEL_PREFIX = re.compile(r"^\s*([0-4])(?:\s|—|–|-|\.|$)")


def _level_data(raw):
    if raw is None or str(raw).strip() == "":
        return ""
    if isinstance(raw, int):
        return str(raw)
    match = _LEVEL_PREFIX.match(str(raw))
    return match.group(1) if match else str(raw)


def _text(raw):
    if raw is None:
        return ""
    return str(raw).replace("\r\n", "\n")


def answer_data(cells, language, *, version):
    """ResponseForm data from a row's cells; and the cells' own problems (field → message)."""
    problems = {}
    confidence = _choice_lookup(lambda: CriterionResponse.Confidence.choices, language)
    raw_conf = cells.get("confidence")
    data = {
        "version": str(version),
        "level": _level_data(cells.get("level")),
        "confidence": confidence.get(_norm(raw_conf), str(raw_conf)) if _norm(raw_conf) else "",
        "current_strengths": _text(cells.get("current_strengths")),
        "opportunities": _text(cells.get("opportunities")),
        "not_applicable_reason": _text(cells.get("not_applicable_reason")),
    }
    flag = _yes_no_value(cells.get("not_applicable"), language, allow_unknown=False)
    if flag == "invalid":
        problems["not_applicable"] = _("write Yes or No (or leave it empty for No).")
    elif flag:
        data["not_applicable"] = "on"
    return data, problems


def _number_data(raw):
    if raw is None:
        return ""
    if isinstance(raw, float):
        return repr(raw)
    return str(raw).strip()


def profile_data(values, language, *, version):
    """ProfileForm data from the profile sheet's cells; and the cells' own problems."""
    data, problems = {"version": str(version)}, {}
    for name, raw in values.items():
        form_field = ProfileForm.base_fields[name]
        if isinstance(form_field, forms.TypedChoiceField):
            lookup = _choice_lookup(lambda name=name: _profile_choices(name), language)
            data[name] = lookup.get(_norm(raw), str(raw)) if _norm(raw) else ""
        elif isinstance(form_field, forms.NullBooleanField):
            flag = _yes_no_value(raw, language, allow_unknown=True)
            if flag == "invalid":
                problems[name] = _("write Yes, No or Not known.")
                data[name] = "unknown"
            else:
                data[name] = {True: "true", False: "false"}.get(flag, "unknown")
        elif isinstance(form_field, (forms.DecimalField, forms.IntegerField)):
            data[name] = _number_data(raw)
        else:
            data[name] = _text(raw)
    return data, problems


def _profile_form_data(values, version):
    """ProfileForm data from stored (python) values, for validating a merged profile."""
    data = {"version": str(version)}
    for name in PROFILE_FIELDS:
        value = values.get(name)
        form_field = ProfileForm.base_fields[name]
        if isinstance(form_field, forms.NullBooleanField):
            data[name] = {True: "true", False: "false"}.get(value, "unknown")
        else:
            data[name] = "" if value is None else str(value)
    return data


def _answer_form_data(values, version, language):
    data = {"version": str(version), "language": language}
    for name in ANSWER_FIELDS:
        value = values.get(name)
        if name == "not_applicable":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return data


# --- the preview ----------------------------------------------------------------------------


@dataclass
class Item:
    """What the upload does to one criterion (or the profile)."""

    kind: str  # "criterion" or "profile"
    key: str  # criterion number, or "profile"
    title: str
    sheet: str
    row: int | None
    obj: object
    changes: list = field(default_factory=list)  # {label, old, new, state}
    conflicts: list = field(default_factory=list)  # {name, label, base, theirs, mine, ...}
    kept: list = field(default_factory=list)  # labels only others changed (theirs kept)
    who: str = ""
    by_me: bool = False
    base_known: bool = True
    content: dict = field(default_factory=dict)  # what confirm writes
    form: object = None  # the validated merged profile form

    @property
    def writes(self):
        return bool(self.content)


@dataclass
class Plan:
    items: list
    errors: list
    fingerprint: str
    unresolved: list

    @property
    def changed_items(self):
        return [i for i in self.items if i.changes or i.conflicts]

    @property
    def writes(self):
        return [i for i in self.items if i.writes]

    @property
    def can_apply(self):
        return not self.errors and not self.unresolved


def fingerprint(assessment):
    """The stored versions of everything a workbook touches: any save changes it."""
    parts = [f"r{pk}:{v}" for pk, v in CriterionResponse.objects.filter(
        assessment=assessment).order_by("pk").values_list("pk", "version")]
    profile = type(assessment).objects.filter(pk=assessment.pk).values_list(
        "profile__pk", "profile__version").first()
    parts.append(f"p{profile[0]}:{profile[1]}" if profile else "p-")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _show_answer(name, value):
    if name == "level":
        return str(dict(Level.choices).get(value, _("none")))
    if name == "confidence":
        return str(dict(CriterionResponse.Confidence.choices).get(value, _("not said")))
    if name == "not_applicable":
        return _("yes") if value else _("no")
    return value or ""


def _show_profile(name, value):
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(ProfileForm.base_fields[name], "choices", []) or [])
    return str(choices.get(value, value))


def _answer_label(name):
    return answer_labels()[name]


def _who(user, by):
    if user is None:
        return _("Someone"), False
    return user.display_name, user.pk == by.pk


def plan_upload(upload, assessment, *, by, resolutions=None):
    """The preview of `upload` against what is stored now (and the writes confirm would make).

    `resolutions` maps "<key>:<field>" to "mine", "theirs" or "both" (texts) for each field
    both the workbook and someone else changed since the download.
    """
    content = upload.content
    meta = content["meta"]
    language = meta["l"]
    resolutions = resolutions or {}
    errors = [dict(p) for p in content.get("problems", [])]
    unresolved = []
    items = []
    responses = {
        str(r.criterion.number): r
        for r in CriterionResponse.objects.filter(assessment=assessment)
        .select_related("criterion", "updated_by").prefetch_related("criterion__rubric_levels")
    }
    sheets = meta["s"]
    for number, (pk, base_version, row) in sorted(meta["r"].items(), key=lambda kv: int(kv[0])):
        current = responses.get(number)
        if current is None or current.pk != pk:
            errors.append(_problem(sheets["answers"], row, 1, _answer_label("number"),
                                   _("criterion %(n)s is no longer part of this assessment.")
                                   % {"n": number}))
            continue
        parsed = content["answers"].get(number)
        if parsed is None:  # its row could not be read; already among the problems
            continue
        item = _plan_response(current, parsed, base_version, language, sheets["answers"],
                              by, resolutions, errors, unresolved)
        if item is not None:
            items.append(item)
    if meta.get("p") and content.get("profile"):
        item = _plan_profile(assessment, content["profile"], meta["p"], language,
                             sheets["profile"], by, resolutions, errors, unresolved)
        if item is not None:
            items.append(item)
    return Plan(items=items, errors=errors, fingerprint=fingerprint(assessment),
                unresolved=unresolved)


def _column(name):
    return get_column_letter(FIRST_ANSWER_COLUMN + ANSWER_FIELDS.index(name))


def _resolve(key, conflicts, mine, theirs, resolutions, unresolved, texts):
    """The values chosen for conflicting fields (those not chosen yet go to `unresolved`)."""
    from .assessment_views import combine_texts

    chosen = {}
    for entry in conflicts:
        name = entry["name"]
        choice = resolutions.get(f"{key}:{name}")
        allowed = {"mine", "theirs", "both"} if name in texts else {"mine", "theirs"}
        entry["choice"] = choice if choice in allowed else None
        if entry["choice"] is None:
            unresolved.append(entry)
        elif choice == "mine":
            chosen[name] = mine[name]
        elif choice == "both":
            chosen[name] = combine_texts(theirs[name], mine[name])
    return chosen


def _plan_response(current, parsed, base_version, language, sheet, by, resolutions, errors,
                   unresolved):
    row = parsed["row"]
    criterion = current.criterion
    data, cell_problems = answer_data(parsed["cells"], language, version=current.version)
    data["language"] = current.language or language
    form = ResponseForm(data, instance=copy.copy(current), rubric=criterion.rubric_levels.all())
    valid = form.is_valid()
    for name, message in cell_problems.items():
        errors.append(_problem(sheet, row, FIRST_ANSWER_COLUMN + ANSWER_FIELDS.index(name),
                               _answer_label(name), message))
    if not valid or cell_problems:
        for name, messages in form.errors.items():
            column = (FIRST_ANSWER_COLUMN + ANSWER_FIELDS.index(name)
                      if name in ANSWER_FIELDS else 1)
            label = _answer_label(name) if name in ANSWER_FIELDS else _("Criterion")
            for message in messages:
                errors.append(_problem(sheet, row, column, label, message))
        return None
    mine = {name: form.cleaned_data[name] for name in ANSWER_FIELDS}
    theirs = {name: getattr(current, name) for name in ANSWER_FIELDS}
    if current.version == base_version:
        base = dict(theirs)
    else:
        base = workflow._base_values(current, base_version, ANSWER_FIELDS)
    write, conflict_names, kept = workflow.three_way(base=base, mine=mine, theirs=theirs)
    who, by_me = _who(current.updated_by, by)
    item = Item(kind="criterion", key=str(criterion.number),
                title=f"{criterion.number}. {_framework_text(criterion, 'name')}",
                sheet=sheet, row=row, obj=current, who=who, by_me=by_me,
                base_known=base is not None)
    reference = base if base is not None else theirs
    for name in ANSWER_FIELDS:
        if workflow._same(mine[name], reference[name]):
            continue
        state = ("conflict" if name in conflict_names
                 else "same" if workflow._same(mine[name], theirs[name]) else "apply")
        item.changes.append({"name": name, "label": _answer_label(name),
                             "column": _column(name),
                             "old": _show_answer(name, reference[name]),
                             "new": _show_answer(name, mine[name]), "state": state})
    item.conflicts = [
        {"name": name, "label": _answer_label(name), "text": name in TEXT_ANSWERS,
         "base": _show_answer(name, base[name]) if base is not None else None,
         "theirs": _show_answer(name, theirs[name]), "mine": _show_answer(name, mine[name]),
         "field": f"{item.key}:{name}"}
        for name in conflict_names
    ]
    item.kept = [_answer_label(name) for name in kept]
    chosen = _resolve(item.key, item.conflicts, mine, theirs, resolutions, unresolved,
                      TEXT_ANSWERS)
    final = {**theirs, **write, **chosen}
    if all(workflow._same(final[n], theirs[n]) for n in ANSWER_FIELDS):
        return item
    merged = ResponseForm(_answer_form_data(final, current.version, current.language or language),
                          instance=copy.copy(current), rubric=criterion.rubric_levels.all())
    if not merged.is_valid():
        for name, messages in merged.errors.items():
            column = (FIRST_ANSWER_COLUMN + ANSWER_FIELDS.index(name)
                      if name in ANSWER_FIELDS else 1)
            label = _answer_label(name) if name in ANSWER_FIELDS else _("Criterion")
            for message in messages:
                errors.append(_problem(sheet, row, column, label, _(
                    "combined with what was saved since your download: %(message)s")
                    % {"message": message}))
        return item
    item.content = {name: merged.cleaned_data[name] for name in ANSWER_FIELDS
                    if not workflow._same(merged.cleaned_data[name], theirs[name])}
    if item.content and not current.language:
        item.content["language"] = language
    return item


def _plan_profile(assessment, parsed, meta_profile, language, sheet, by, resolutions, errors,
                  unresolved):
    from .models import OfficeProfile

    pk, base_version, _rows = meta_profile
    current = OfficeProfile.objects.filter(assessment=assessment).first()
    if current is None or current.pk != pk:
        return None
    values = {name: entry["value"] for name, entry in parsed.items()}
    rows = {name: entry["row"] for name, entry in parsed.items()}
    stored = {name: getattr(current, name) for name in PROFILE_FIELDS}
    # Facts whose row could not be read keep their stored value (their problem is listed).
    data, cell_problems = profile_data(values, language, version=current.version)
    full = _profile_form_data(stored, current.version)
    full.update(data)
    with override(language):
        form = ProfileForm(full, instance=copy.copy(current))
        valid = form.is_valid()
        form_errors = {name: list(messages) for name, messages in form.errors.items()}
    for name, message in cell_problems.items():
        errors.append(_problem(sheet, rows[name], PROFILE_VALUE_COLUMN, profile_label(name),
                               message))
    if not valid or cell_problems:
        for name, messages in form_errors.items():
            if name in cell_problems:
                continue
            row = rows.get(name, 1)
            label = profile_label(name) if name in PROFILE_FIELDS else _("Office profile")
            for message in messages:
                errors.append(_problem(sheet, row, PROFILE_VALUE_COLUMN, label, message))
        return None
    mine = {name: form.cleaned_data[name] for name in PROFILE_FIELDS}
    if current.version == base_version:
        base = dict(stored)
    else:
        base = workflow._base_values(current, base_version, PROFILE_FIELDS)
    write, conflict_names, kept = workflow.three_way(base=base, mine=mine, theirs=stored)
    who, by_me = _who(workflow._profile_editor(current), by)
    item = Item(kind="profile", key="profile", title=_("Office profile"), sheet=sheet,
                row=None, obj=current, who=who, by_me=by_me, base_known=base is not None)
    reference = base if base is not None else stored
    for name in PROFILE_FIELDS:
        if workflow._same(mine[name], reference[name]):
            continue
        state = ("conflict" if name in conflict_names
                 else "same" if workflow._same(mine[name], stored[name]) else "apply")
        item.changes.append({"name": name, "label": profile_label(name), "row": rows.get(name),
                             "old": _show_profile(name, reference[name]),
                             "new": _show_profile(name, mine[name]), "state": state})
    item.conflicts = [
        {"name": name, "label": profile_label(name), "text": name in PROFILE_TEXT_FIELDS,
         "base": _show_profile(name, base[name]) if base is not None else None,
         "theirs": _show_profile(name, stored[name]), "mine": _show_profile(name, mine[name]),
         "field": f"profile:{name}"}
        for name in conflict_names
    ]
    item.kept = [profile_label(name) for name in kept]
    chosen = _resolve("profile", item.conflicts, mine, stored, resolutions, unresolved,
                      PROFILE_TEXT_FIELDS)
    final = {**stored, **write, **chosen}
    if all(workflow._same(final[n], stored[n]) for n in PROFILE_FIELDS):
        return item
    merged = ProfileForm(_profile_form_data(final, current.version), instance=copy.copy(current))
    if not merged.is_valid():
        for name, messages in merged.errors.items():
            label = profile_label(name) if name in PROFILE_FIELDS else _("Office profile")
            for message in messages:
                errors.append(_problem(sheet, rows.get(name, 1), PROFILE_VALUE_COLUMN, label, _(
                    "combined with what was saved since your download: %(message)s")
                    % {"message": message}))
        return item
    item.form = merged
    item.content = {name: merged.cleaned_data[name] for name in PROFILE_FIELDS
                    if not workflow._same(merged.cleaned_data[name], stored[name])}
    return item


def apply_plan(plan, *, assessment, by):
    """Write the plan (call inside the transaction that holds the assessment's lock).

    Every write is based on the version the plan read, with merging off: if anything moved
    meanwhile, StaleVersion rolls the whole upload back.
    """
    saved = 0
    for item in plan.writes:
        if item.kind == "criterion":
            workflow.save_response(response=item.obj, content=item.content,
                                   base_version=item.obj.version, by=by, merge=False)
        else:
            formset = FundingFormSet(
                {"funding-TOTAL_FORMS": "0", "funding-INITIAL_FORMS": "0",
                 "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "1000"},
                instance=item.obj, prefix="funding")
            formset.is_valid()
            workflow.save_profile(assessment=assessment, form=item.form, formset=formset,
                                  by=by, base_version=item.obj.version)
        saved += 1
    return saved
