"""The indicator register pages: an office's indicators, their values, the CSV import.

Every view fetches through `cities.access` (another office's private indicator is a 404;
a viewer gets a 403 before any write); writes go through `cities.indicators`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import city_figures, indicators
from .access import INDICATORS, get_indicator_for_user, get_office_for_user, office_access
from .forms import IndicatorForm, IndicatorImportForm, IndicatorValueForm
from .models import Indicator, IndicatorValue, Office


def register_rows(office_indicators, *, today):
    """Each indicator with `stale` and `due` set from its annotated `last_on`."""
    rows = list(office_indicators)
    for indicator in rows:
        indicator.due = indicator.due_on(indicator.last_on)
        indicator.stale = indicator.is_stale(indicator.last_on, today)
    return rows


def register_figures(city, *, today):
    """The newest value of each of the city's outcome series, flagged `stale` (with the
    value `due`) when its yearly cadence has passed, as the office's own indicators are."""
    rows = city_figures.latest_of(city)
    for figure in rows:
        figure.due = figure.indicator.due_on(figure.on)
        figure.stale = figure.indicator.is_stale(figure.on, today)
    return rows


def register(request, slug):
    office = get_object_or_404(Office.objects.select_related("city"), slug=slug)
    access = office_access(request.user, office)
    if access.sees_all_indicators:
        request.ovp_private = True
    today = timezone.localdate()
    rows = register_rows(
        Indicator.objects.visible_to(request.user).filter(office=office).with_last_value()
        .order_by("kind", "name"), today=today)
    return render(request, "cities/indicator_register.html", {
        "office": office, "indicators": rows,
        "stale_count": sum(1 for i in rows if i.stale),
        # The city's outcome series (the secretariat keeps them), newest value of each.
        "city_figures": register_figures(office.city, today=today),
        "can_edit": access.can_edit_indicators,
        "sees_all": access.sees_all_indicators,
        "title": _("Indicators: %(office)s") % {"office": office.name},
    })


@login_required
def indicator_add(request, slug):
    office, _access = get_office_for_user(request, slug, need=INDICATORS)
    form = IndicatorForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        indicator = indicators.create_indicator(office=office, content=form.content(),
                                                by=request.user)
        messages.success(request, _("Indicator “%(name)s” added. Now add its values.")
                         % {"name": indicator.name})
        return redirect(indicator.get_absolute_url())
    return render(request, "cities/indicator_form.html", {
        "office": office, "form": form, "indicator": None,
        "forms_with_errors": [form] if form.errors else [],
        "title": _("New indicator"),
    }, status=422 if form.errors else 200)


def indicator_detail(request, pk):
    """The indicator, its values, and (for its editors) the form adding one."""
    indicator, access = get_indicator_for_user(request, pk)
    form = None
    status = 200
    if request.method == "POST":
        if not access.can_edit_indicators:
            raise PermissionDenied(_("Only the office's editors change its indicators."))
        form = IndicatorValueForm(request.POST, indicator=indicator)
        if form.is_valid():
            try:
                value = indicators.add_value(indicator=indicator, by=request.user,
                                             **form.cleaned_data)
            except indicators.DuplicateValue:
                form.add_error("on", _("This indicator already has a value for this date."))
            else:
                messages.success(request, _("Value for %(date)s saved.") % {
                    "date": value.on.isoformat()})
                return redirect(indicator.get_absolute_url() + "#values")
        status = 422
    elif access.can_edit_indicators:
        form = IndicatorValueForm(indicator=indicator)
    values = list(indicator.values.order_by("-on"))
    last_on = values[0].on if values else None
    return render(request, "cities/indicator_detail.html", {
        "indicator": indicator, "office": indicator.office, "values": values,
        "due": indicator.due_on(last_on),
        "stale": indicator.is_stale(last_on),
        "form": form, "can_edit": access.can_edit_indicators,
        "forms_with_errors": [form] if form is not None and form.errors else [],
        "title": indicator.name,
    }, status=status)


def _shown(value, choices):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None:
        return ""
    return choices.get(value, value) if choices else formats.localize(value)


def _differences(form, current):
    """The fields the other person saved differently from what this person typed."""
    rows = []
    for name in indicators.INDICATOR_FIELDS:
        theirs = getattr(current, name)
        mine = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        if theirs != mine:
            field = form.fields[name]
            show = dict(field.choices) if hasattr(field, "choices") else {}
            rows.append({"label": field.label, "theirs": _shown(theirs, show),
                         "mine": _shown(mine, show)})
    return rows


@login_required
def indicator_edit(request, pk):
    indicator, _access = get_indicator_for_user(request, pk, edit=True)
    office = indicator.office
    context = {"office": office, "indicator": indicator, "title": _("Edit indicator")}
    if request.method != "POST":
        context["form"] = IndicatorForm(instance=indicator, office=office)
        return render(request, "cities/indicator_form.html", context)
    form = IndicatorForm(request.POST, instance=Indicator.objects.get(pk=indicator.pk),
                         office=office)
    context.update(form=form, forms_with_errors=[form] if form.errors else [])
    if not form.is_valid():
        context["forms_with_errors"] = [form]
        return render(request, "cities/indicator_form.html", context, status=422)
    base = form.cleaned_data.get("version") or indicator.version
    try:
        saved = indicators.save_indicator(indicator=indicator, content=form.content(),
                                          base_version=base, by=request.user)
    except indicators.IndicatorConflict as stale:
        # Keep everything this person typed; the form now carries the stored version, so
        # saving again (after reading the differences) applies their text.
        current = stale.current
        differences = _differences(form, current)  # before the form below fills `current`
        data = request.POST.copy()
        data["version"] = str(current.version)
        who = current.updated_by.display_name if current.updated_by else _("Someone")
        kept = IndicatorForm(data, instance=Indicator.objects.get(pk=current.pk),
                             office=office)
        kept.is_valid()
        context.update(form=kept, conflict=True, who=who, differences=differences)
        messages.warning(request, _(
            "%(who)s changed this indicator while you were editing; nothing was saved. Your "
            "text is kept below: compare, then save again to keep yours.") % {"who": who})
        return render(request, "cities/indicator_form.html", context, status=409)
    messages.success(request, _("Indicator “%(name)s” saved.") % {"name": saved.name})
    return redirect(saved.get_absolute_url())


@login_required
def value_remove(request, pk):
    value = get_object_or_404(IndicatorValue.objects.select_related("indicator"), pk=pk)
    indicator, _access = get_indicator_for_user(request, value.indicator_id, edit=True)
    if request.method == "POST":
        indicators.remove_value(value=value, by=request.user)
        messages.success(request, _("Value for %(date)s removed.") % {
            "date": value.on.isoformat()})
        return redirect(indicator.get_absolute_url() + "#values")
    return render(request, "cities/indicator_value_remove.html", {
        "indicator": indicator, "office": indicator.office, "value": value,
        "title": _("Remove a value"),
    })


@login_required
def indicator_import(request, slug):
    office, _access = get_office_for_user(request, slug, need=INDICATORS)
    form = IndicatorImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > indicators.MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text; save it as CSV UTF-8."))
            else:
                ready, errors = indicators.validate_import(text, office=office,
                                                           today=timezone.localdate())
                if not errors and not ready:
                    form.add_error("file", _("The file has no rows."))
                elif not errors:
                    count = indicators.import_values(values=ready, by=request.user)
                    messages.success(request, _("%(n)s values imported.") % {"n": count})
                    return redirect("cities:office-indicators", slug=office.slug)
    return render(request, "cities/indicator_import.html", {
        "office": office, "form": form, "errors": errors,
        "columns": indicators.IMPORT_COLUMNS,
        "names": list(office.indicators.values_list("name", flat=True)),
        "forms_with_errors": [form] if form.errors else [],
        "title": _("Import indicator values"),
    }, status=422 if (errors or form.errors) else 200)
