from django.urls import path

from . import assessment_views, library_views, review_views, round_views, views

app_name = "criteria"

urlpatterns = [
    path("criteria/", views.criterion_list, name="criterion-list"),
    path("practices/", library_views.library, name="library"),
    path("practices/new/", library_views.practice_add, name="practice-add"),
    path("practices/export.<str:fmt>", library_views.library_export, name="library-export"),
    path("criteria/<slug:slug>/", views.criterion_detail, name="criterion-detail"),
    path("assessments/", assessment_views.my_assessments, name="my-assessments"),
    path("offices/<slug:slug>/assessments/new/", assessment_views.start_assessment,
         name="assessment-start"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment-detail"),
    path("assessments/<int:pk>/profile/", assessment_views.profile_edit, name="profile-edit"),
    path("assessments/<int:pk>/submit/", assessment_views.submit, name="assessment-submit"),
    path("assessments/<int:pk>/criteria/<int:number>/", assessment_views.response_edit,
         name="response-edit"),
    path("assessments/<int:pk>/criteria/<int:number>/confirm/",
         assessment_views.response_confirm, name="response-confirm"),
    path("assessments/<int:pk>/criteria/<int:number>/history/",
         assessment_views.response_history, name="response-history"),
    path("assessments/<int:pk>/criteria/<int:number>/evidence/", assessment_views.evidence_add,
         name="evidence-add"),
    path("evidence/<int:pk>/download/", assessment_views.evidence_download,
         name="evidence-download"),
    path("evidence/<int:pk>/delete/", assessment_views.evidence_delete, name="evidence-delete"),
    path("evidence/<int:pk>/verify/", assessment_views.evidence_verify, name="evidence-verify"),
    path("rounds/", round_views.round_list, name="round-list"),
    path("rounds/new/", round_views.round_create, name="round-create"),
    path("rounds/<int:pk>/", round_views.round_edit, name="round-edit"),
    path("rounds/<int:pk>/close/", round_views.round_close, name="round-close"),
    path("review/", review_views.review_queue, name="review-queue"),
    path("assessments/<int:pk>/review/", review_views.review, name="assessment-review"),
    path("assessments/<int:pk>/review/comments/", review_views.comment_add, name="comment-add"),
    path("assessments/<int:pk>/review/request-changes/", review_views.request_changes,
         name="request-changes"),
    path("assessments/<int:pk>/review/publish/", review_views.publish, name="publish"),
]
