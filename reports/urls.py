from django.urls import path

from . import audit_views, indicator_exports, open_data_views, plan_exports, research_views, views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/briefs/<int:pk>/", views.brief, name="brief"),
    path("reports/briefs/<int:pk>/pdf/", views.brief_pdf, name="brief-pdf"),
    path("reports/briefs/<int:pk>/transition/", views.transition_memo, name="transition-memo"),
    path("reports/briefs/<int:pk>/transition/pdf/", views.transition_memo_pdf,
         name="transition-memo-pdf"),
    path("reports/briefs/<int:pk>/publish/", views.brief_publish, name="brief-publish"),
    path("reports/rounds/<slug:round>/", views.network_brief, name="network-brief"),
    path("reports/rounds/<slug:round>/pdf/", views.network_pdf, name="network-pdf"),
    path("reports/exports/", views.export_list, name="export-list"),
    path("reports/exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("reports/exports/<int:pk>/retry/", views.export_retry, name="export-retry"),
    path("reports/exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("reports/audit/", audit_views.audit_trail, name="audit-trail"),
    path("reports/audit/export.<str:fmt>", audit_views.audit_trail_export,
         name="audit-trail-export"),
    path("assessments/<int:pk>/plan/export.<str:fmt>", plan_exports.plan_export,
         name="plan-export"),
    path("offices/<slug:slug>/indicators/export.<str:fmt>", indicator_exports.indicator_export,
         name="indicator-export"),
    path("briefs/", views.public_briefs, name="public-briefs"),
    path("compare/", research_views.compare, name="compare"),
    path("compare/export.<str:fmt>", research_views.compare_export, name="compare-export"),
    path("compare/trend.<str:fmt>", research_views.compare_trend_export,
         name="compare-trend-export"),
    path("open-data/", open_data_views.open_data_page, name="open-data"),
    path("open-data/<slug:network>/dataset.zip", open_data_views.open_data_zip,
         name="open-data-zip"),
    path("open-data/<slug:network>/<slug:table>.<str:fmt>", open_data_views.open_data_download,
         name="open-data-download"),
]
