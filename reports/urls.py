from django.urls import path

app_name = "reports"

urlpatterns: list = [
    # Routes of the reports app (office brief, network brief, exports) are added here.
]
