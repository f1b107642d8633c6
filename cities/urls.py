from django.urls import path

from . import views

app_name = "cities"

urlpatterns = [
    path("cities/", views.city_list, name="city-list"),
    path("cities/<slug:slug>/", views.city_detail, name="city-detail"),
    path("offices/<slug:slug>/", views.office_detail, name="office-detail"),
]
