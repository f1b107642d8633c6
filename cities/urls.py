from django.urls import path

from . import account_views, views

app_name = "cities"

urlpatterns = [
    path("cities/", views.city_list, name="city-list"),
    path("cities/<slug:slug>/", views.city_detail, name="city-detail"),
    path("offices/<slug:slug>/", views.office_detail, name="office-detail"),
    path("offices/<slug:slug>/members/", account_views.office_members, name="office-members"),
    path("offices/<slug:slug>/members/<int:pk>/remove/", account_views.member_remove,
         name="member-remove"),
]
