"""The open-data page and its downloads: public, whoever asks (reports/open_data.py)."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _

from . import open_data, tabular


def _open_network(slug):
    return get_object_or_404(open_data.open_networks(), slug=slug)


def open_data_page(request):
    datasets = open_data.datasets(request)
    return render(request, "reports/open_data.html", {
        "datasets": datasets,
        "tables": [(key, title, columns) for key, (title, columns) in open_data.TABLES.items()],
        "formats": list(tabular.FORMATS),
        "title": _("Open data"),
    })


def open_data_download(request, network, table, fmt):
    if fmt not in tabular.FORMATS or table not in open_data.TABLES:
        raise Http404("Unknown table or format.")
    network = _open_network(network)
    info = open_data.dataset(network, base_url=open_data.page_url(request))
    title, columns = open_data.TABLES[table]
    with translation.override("en"):
        about = {
            "title": f"{open_data.TITLE}: {network.name} — {title}",
            "query": "", "url": request.build_absolute_uri(), "language": "en",
            "open_data_url": open_data.page_url(request), "datasets": [info.as_dict()],
        }
        # CSV and JSON stream after this block: the rows are read in English here.
        rows = list(open_data.table_rows(network, table))
    return tabular.export_response(fmt, columns, rows, stem=f"ovp-{network.slug}-{table}",
                                   about=about)


def open_data_zip(request, network):
    network = _open_network(network)
    response = HttpResponse(open_data.dataset_zip(request, network),
                            content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ovp-{network.slug}-open-data.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
