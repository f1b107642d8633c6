from django.urls import path

from . import account_views, indicator_views, outcome_views, transition_views, views

app_name = "cities"

urlpatterns = [
    path("cities/", views.city_list, name="city-list"),
    path("outcomes/", outcome_views.outcome_list, name="outcome-list"),
    path("outcomes/new/", outcome_views.indicator_add, name="indicator-add"),
    path("outcomes/import/", outcome_views.indicator_import, name="indicator-import"),
    path("outcomes/export.<str:fmt>", outcome_views.outcome_export, name="outcome-export"),
    path("outcomes/<slug:slug>/", outcome_views.outcome_city, name="outcome-city"),
    path("cities/<slug:slug>/", views.city_detail, name="city-detail"),
    path("offices/<slug:slug>/", views.office_detail, name="office-detail"),
    path("offices/<slug:slug>/members/", account_views.office_members, name="office-members"),
    path("offices/<slug:slug>/members/<int:pk>/remove/", account_views.member_remove,
         name="member-remove"),
    path("offices/<slug:slug>/members/<int:pk>/role/", account_views.member_role,
         name="member-role"),
    path("offices/<slug:slug>/indicators/", indicator_views.register,
         name="office-indicators"),
    path("offices/<slug:slug>/indicators/new/", indicator_views.indicator_add,
         name="office-indicator-add"),
    path("offices/<slug:slug>/indicators/import/", indicator_views.indicator_import,
         name="office-indicator-import"),
    path("offices/<slug:slug>/transitions/", transition_views.office_transitions,
         name="office-transitions"),
    path("transitions/<int:pk>/remove/", transition_views.transition_remove,
         name="office-transition-remove"),
    path("indicators/<int:pk>/", indicator_views.indicator_detail, name="office-indicator"),
    path("indicators/<int:pk>/edit/", indicator_views.indicator_edit,
         name="office-indicator-edit"),
    path("indicator-values/<int:pk>/remove/", indicator_views.value_remove,
         name="office-indicator-value-remove"),
    path("members/", account_views.members_offices, name="members-offices"),
]
