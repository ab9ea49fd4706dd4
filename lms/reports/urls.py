from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("imprimer/", views.print_report, name="print"),
    path("export/", views.export, name="export"),
]
