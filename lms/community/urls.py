from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("cercles/", views.home, name="home"),
    path("cercles/nouveau/", views.create_circle, name="create_circle"),
    path("cercles/<id:pk>/", views.circle, name="circle"),
    path("cercles/<id:pk>/rejoindre/", views.join, name="join"),
    path("cercles/<id:pk>/quitter/", views.leave, name="leave"),
    path("cercles/<id:pk>/clore/", views.close, name="close"),
    path("cercles/<id:pk>/rencontres/nouvelle/", views.schedule_meeting, name="schedule_meeting"),
    path("rencontres/<id:pk>/", views.meeting, name="meeting"),
    path("rencontres/<id:pk>/question/", views.choose_question, name="choose_question"),
    path("rencontres/<id:pk>/top-flop/", views.top_flop, name="top_flop"),
    path("rencontres/<id:pk>/invitation.ics", views.meeting_ics, name="meeting_ics"),
    path("messages/<id:pk>/signaler/", views.report, name="report"),
    path("messages/<id:pk>/relire/", views.review, name="review"),
    path("moderation/", views.moderation, name="moderation"),
    path("mentorat/", views.mentoring, name="mentoring"),
    path("mentorat/propositions/", views.offers, name="offers"),
    path("mentorat/propositions/<id:pk>/decider/", views.decide, name="decide"),
    path("mentorat/heures/", views.record_hours, name="record_hours"),
]
