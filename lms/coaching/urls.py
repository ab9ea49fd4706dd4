from django.urls import path

from . import agenda_views, booking_views, views

app_name = "coaching"

urlpatterns = [
    path("", views.my_coaching, name="my_coaching"),
    path("demandes/<id:pk>/annuler/", views.cancel, name="cancel"),
    path("demandes/<id:pk>/messages/", views.thread, name="thread"),
    path("rendez-vous/<id:pk>/repondre/", views.answer_session, name="answer_session"),
    path("rendez-vous/<id:pk>/invitation.ics", views.session_ics, name="session_ics"),
    path("parcours/<id:pathway_id>/aide/", views.ask_for_help, name="help"),
    path(
        "parcours/<id:pathway_id>/balises/<slug:point_id>/demander/",
        views.accept_offer,
        name="accept_offer",
    ),
    # Coach workspace
    path("file/", views.queue, name="queue"),
    path("demandes/<id:pk>/", views.request_detail, name="request"),
    path("demandes/<id:pk>/prendre/", views.claim, name="claim"),
    path("demandes/<id:pk>/rendez-vous/", views.propose_session, name="propose_session"),
    path("demandes/<id:pk>/notes/", views.save_notes, name="notes"),
    path("demandes/<id:pk>/cloturer/", views.close, name="close"),
    path("demandes/<id:pk>/rendre/", views.hand_back, name="hand_back"),
    path("disponibilites/", views.availability, name="availability"),
    # Structure managers
    path("structure/", views.structure_requests, name="structure_requests"),
    path("demandes/<id:pk>/confier/", views.assign, name="assign"),
    # Self-booking: the learner's slots, the coach's weekly rules, the video room's door
    path("demandes/<id:pk>/creneaux/", booking_views.booking, name="booking"),
    path("demandes/<id:pk>/creneaux/reserver/", booking_views.book, name="book"),
    path("disponibilites/plages/", booking_views.add_rule, name="add_rule"),
    path("disponibilites/plages/<id:pk>/retirer/", booking_views.remove_rule, name="remove_rule"),
    path("disponibilites/absences/", booking_views.add_exception, name="add_exception"),
    path(
        "disponibilites/absences/<id:pk>/retirer/",
        booking_views.remove_exception,
        name="remove_exception",
    ),
    path("visio/<slug:room>/", booking_views.session_video, name="session_video"),
]

# The life of a session, the coach's agenda and calendar feed (``agenda_views``).
urlpatterns += [
    path("agenda/", agenda_views.agenda_page, name="agenda"),
    path("agenda/lien/", agenda_views.agenda_feed_token, name="agenda_feed_token"),
    path("agenda/<str:token>.ics", agenda_views.agenda_feed, name="agenda_feed"),
    path("rendez-vous/<id:pk>/deplacer/", agenda_views.move_session, name="move_session"),
    path("rendez-vous/<id:pk>/annuler/", agenda_views.cancel_session, name="cancel_session"),
    path("rendez-vous/<id:pk>/presence/", agenda_views.record_attendance, name="attendance"),
]
