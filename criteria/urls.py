from django.urls import path

from . import views

app_name = "criteria"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion-list"),
    path("criteria/<slug:slug>/", views.criterion_detail, name="criterion-detail"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
]
