from django.urls import path

from . import attendance_views, views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("imprimer/", views.print_report, name="print"),
    path("export/", views.export, name="export"),
]

# The session attendance sheet for funders (managers, and coaches for their own sessions).
urlpatterns += [
    path("presences/", attendance_views.attendance_sheet, name="attendance"),
]
