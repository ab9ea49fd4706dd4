from django.urls import path

from . import attendance_views, views
from .funder import views as funder

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("imprimer/", views.print_report, name="print"),
    path("export/", views.export, name="export"),
    path("financeurs/", funder.funder_reports, name="funder_reports"),
    path("financeurs/<int:pk>/", funder.funder_report, name="funder_report"),
    path("financeurs/<int:pk>/regenerer/", funder.regenerate, name="funder_regenerate"),
    path("financeurs/<int:pk>/telecharger/<str:kind>/", funder.download, name="funder_download"),
]

# The session attendance sheet for funders (managers, and coaches for their own sessions).
urlpatterns += [
    path("presences/", attendance_views.attendance_sheet, name="attendance"),
]
