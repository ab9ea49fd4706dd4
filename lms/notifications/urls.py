from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("tout-marquer-comme-lu/", views.mark_all_read, name="mark_all_read"),
    path("<id:pk>/ouvrir/", views.open_notification, name="open"),
    path("sms/entrant/<str:token>/", views.sms_inbound, name="sms_inbound"),
]
