"""The research API under /api/: resources, the OpenAPI schema and its documentation pages.

The documentation pages load Swagger UI and Redoc from our own static files
(drf-spectacular-sidecar), never from a CDN.
"""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from cities import api as cities_api
from cities import indicator_api
from criteria import api as criteria_api
from criteria import exchange_api, plan_api
from reports import api as reports_api

router = DefaultRouter()
router.include_root_view = False
router.register("networks", cities_api.NetworkViewSet, basename="network")
router.register("cities", cities_api.CityViewSet, basename="city")
router.register("offices", cities_api.OfficeViewSet, basename="office")
router.register("indicators", cities_api.IndicatorViewSet, basename="indicator")
router.register("exchange-rates", cities_api.ExchangeRateViewSet, basename="exchange-rate")
router.register("transitions", cities_api.TransitionViewSet, basename="transition")
router.register("office-indicators", indicator_api.OfficeIndicatorViewSet,
                basename="office-indicator")
router.register("frameworks", criteria_api.FrameworkViewSet, basename="framework")
router.register("criteria", criteria_api.CriterionViewSet, basename="criterion")
router.register("assessments", criteria_api.AssessmentViewSet, basename="assessment")
router.register("responses", criteria_api.ResponseViewSet, basename="response")
router.register("evidence", criteria_api.EvidenceViewSet, basename="evidence")
router.register("actions", plan_api.ActionViewSet, basename="action")
router.register("targets", plan_api.TargetViewSet, basename="target")
router.register("exchanges", exchange_api.ExchangeRequestViewSet, basename="exchange")
router.register("good-practices", criteria_api.GoodPracticeViewSet, basename="good-practice")

app_name = "api"

urlpatterns = [
    path("comparison/", criteria_api.ComparisonRows.as_view(), name="comparison"),
    path("comparison/trend/", reports_api.ComparisonTrend.as_view(), name="comparison-trend"),
    path("open-data/", reports_api.OpenDataList.as_view(), name="open-data"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("", include(router.urls)),
]
