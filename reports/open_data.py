"""Open data: each network's published, public assessments, the framework they are scored
against, its cities' good practices and outcome figures — under the licence the network's
secretariat chose, with a dataset version and a suggested citation (docs/research.md).

The dataset is what an anonymous visitor may read (`visible_to(AnonymousUser())`), never
more, whoever downloads it. Its rows are written in English, the framework's reference
language, so the version — a hash of every row of every table — is the same for every
reader and changes exactly when the published data change.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.validators import slug_re
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from cities import city_figures
from cities.models import DataLicence, Network
from cities.outcome_views import EXPORT_COLUMNS as OUTCOME_COLUMNS
from cities.outcome_views import outcome_rows
from criteria.filters import library_practices
from criteria.library_views import EXPORT_COLUMNS as PRACTICE_COLUMNS
from criteria.library_views import practice_rows
from criteria.models import Assessment, Framework, RubricLevel

from . import tabular

FRAMEWORK_COLUMNS = [
    tabular.Column("framework", "Framework identifier (slug)"),
    tabular.Column("framework_version", "Framework version"),
    tabular.Column("criterion_number", "1–9"),
    tabular.Column("criterion_slug", "Criterion identifier"),
    tabular.Column("criterion_name", "Criterion name"),
    tabular.Column("definition", "What the criterion means"),
    tabular.Column("level", "Rubric level, 0–4"),
    tabular.Column("descriptor", "What an office at this level looks like"),
]

TABLES = {
    "assessments": (_("Assessments (tidy: office × round × criterion)"), tabular.TIDY_COLUMNS),
    "framework": (_("Framework: criteria and rubric levels"), FRAMEWORK_COLUMNS),
    "practices": (_("Good practices"), PRACTICE_COLUMNS),
    "outcomes": (_("Outcome figures (violence indicators)"), OUTCOME_COLUMNS),
}
TITLE = "OVP Assess open data"


def public_assessments(network):
    """The network's published assessments that their offices made public (no synthetic)."""
    return Assessment.objects.visible_to(AnonymousUser()).filter(
        is_synthetic=False, city__networks=network,
    )


def _framework_rows():
    framework = Framework.objects.filter(is_default=True).first()
    if framework is None:
        return
    levels = (RubricLevel.objects.filter(criterion__framework=framework)
              .order_by("criterion__number", "level")
              .values_list("criterion__number", "criterion__slug", "criterion__name",
                           "criterion__definition", "level", "descriptor"))
    for number, slug, name, definition, level, descriptor in levels:
        yield (framework.slug, framework.version, number, slug, name, definition, level,
               descriptor)


def table_rows(network, table):
    """Rows of one table of `network`'s dataset, in the table's column order."""
    if table == "assessments":
        return tabular.tidy_rows(public_assessments(network))
    if table == "framework":
        return _framework_rows()
    if table == "practices":
        return practice_rows(library_practices().filter(city__networks=network,
                                                        city__is_synthetic=False))
    if table == "outcomes":
        return outcome_rows(city_figures.figures().filter(
            indicator__city__networks=network, indicator__city__is_synthetic=False))
    raise KeyError(table)


@dataclass(frozen=True)
class Dataset:
    network: Network
    version: str
    as_of: object  # date of the latest publication, or None
    assessment_count: int
    url: str

    @property
    def licence(self):
        return self.network.data_licence

    @property
    def licence_name(self):
        return DataLicence(self.network.data_licence).label

    @property
    def licence_url(self):
        return DataLicence.url(self.network.data_licence)

    @property
    def citation(self):
        """Title, network, version, date, URL — the same text on the page and in exports."""
        when = self.as_of.isoformat() if self.as_of else "unpublished"
        year = f" ({self.as_of.year})" if self.as_of else ""
        return (f"{self.network.name}{year}. {TITLE}, version {self.version} [data set], "
                f"as of {when}. Licence: {self.licence}. {self.url}")

    def as_dict(self):
        return {
            "network": self.network.slug, "network_name": self.network.name, "title": TITLE,
            "version": self.version, "as_of": self.as_of.isoformat() if self.as_of else None,
            "assessments": self.assessment_count, "licence": self.licence,
            "licence_url": self.licence_url, "citation": self.citation, "url": self.url,
        }


def dataset(network, *, base_url) -> Dataset:
    """The network's dataset with its version: a hash of every row of every table."""
    digest = hashlib.sha256()
    with translation.override("en"):
        for table in TABLES:
            digest.update(table.encode())
            for row in table_rows(network, table):
                digest.update(json.dumps(row, default=str, ensure_ascii=False).encode())
                digest.update(b"\n")
    public = public_assessments(network)
    stats = Assessment.objects.filter(pk__in=public.values("pk")).aggregate(
        latest=Max("published_at"))
    latest = stats["latest"]
    return Dataset(
        network=network, version=digest.hexdigest()[:12],
        as_of=timezone.localdate(latest) if latest else None,
        assessment_count=public.count(),
        url=f"{base_url}#{network.slug}",
    )


def open_networks():
    """Networks with at least one public assessment, by name."""
    public = Assessment.objects.visible_to(AnonymousUser()).filter(is_synthetic=False)
    return Network.objects.filter(cities__in=public.values("city_id")).distinct().order_by("name")


def page_url(request):
    return request.build_absolute_uri(reverse("reports:open-data"))


def datasets(request, networks=None) -> list[Dataset]:
    base = page_url(request)
    if networks is None:
        networks = open_networks()
    return [dataset(n, base_url=base) for n in networks]


def export_about(request, title, *, networks=None) -> dict:
    """The metadata every export carries: what was asked (the filter), when, and the
    version and citation of each network dataset the rows may come from."""
    scope = open_networks()
    wanted = [v for v in request.GET.getlist("network") if slug_re.fullmatch(v)]
    if networks is not None:
        scope = scope.filter(pk__in=[n.pk for n in networks])
    elif wanted:
        scope = scope.filter(slug__in=wanted)
    return {
        "title": str(title), "query": request.GET.urlencode(),
        "url": request.build_absolute_uri(), "generated_at": timezone.now().isoformat(),
        "language": translation.get_language(),
        "open_data_url": page_url(request),
        "datasets": [d.as_dict() for d in datasets(request, list(scope))],
        "note": "Rows you may see as signed in can include data that is not open; the "
                "datasets cited are the open data of the networks in scope.",
    }


def dataset_zip(request, network) -> bytes:
    """Every table as CSV, with datapackage.json (the data dictionary, licence, version and
    citation, in the Frictionless Data Package form) and CITATION.txt beside them."""
    info = dataset(network, base_url=page_url(request))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            translation.override("en"):
        resources = []
        for table, (title, columns) in TABLES.items():
            text = "".join(tabular._csv_lines(columns, table_rows(network, table)))
            archive.writestr(f"{table}.csv", text.encode("utf-8"))
            resources.append({
                "name": table, "path": f"{table}.csv", "title": str(title), "format": "csv",
                "mediatype": "text/csv", "encoding": "utf-8",
                "schema": {"fields": [{"name": c.name, "description": c.description}
                                      for c in columns]},
            })
        package = {
            "name": f"ovp-assess-{network.slug}", "title": f"{TITLE}: {network.name}",
            "version": info.version, "created": timezone.now().isoformat(),
            "licenses": [{"name": info.licence, "title": info.licence_name,
                          "path": info.licence_url}],
            "homepage": info.url, "citation": info.citation,
            "sources": [{"title": network.name, "path": network.website or info.url}],
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, indent=2, ensure_ascii=False,
                                                        default=str))
        archive.writestr("CITATION.txt", info.citation + "\n")
    return buffer.getvalue()
