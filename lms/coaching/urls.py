from django.urls import path

from . import agenda_views, booking_views, group_views, views

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

# Group sessions (``group_views``): the coach's and manager's pages, the learner's answers.
urlpatterns += [
    path("collectif/", group_views.group_list, name="groups"),
    path("collectif/qui-attend/", group_views.group_waiting, name="groups_waiting"),
    path("collectif/nouvelle/", group_views.group_create, name="group_create"),
    path("collectif/<id:pk>/", group_views.group_detail, name="group"),
    path("collectif/<id:pk>/inviter/", group_views.group_invite, name="group_invite"),
    path(
        "collectif/<id:pk>/places/<id:seat_pk>/presence/",
        group_views.group_attendance,
        name="group_attendance",
    ),
    path("collectif/<id:pk>/synthese/", group_views.group_brief, name="group_brief"),
    path("collectif/<id:pk>/synthese/audio/", group_views.group_brief_audio, name="group_audio"),
    path("collectif/<id:pk>/annuler/", group_views.group_cancel, name="group_cancel"),
    path("collectif/<id:pk>/inscription/", group_views.group_register, name="group_register"),
    path("collectif/<id:pk>/decliner/", group_views.group_decline, name="group_decline"),
    path(
        "collectif/<id:pk>/desinscription/", group_views.group_unregister, name="group_unregister"
    ),
    path(
        "collectif/<id:pk>/ma-demande/", group_views.group_keep_request, name="group_keep_request"
    ),
    path("collectif/<id:pk>/invitation.ics", group_views.group_ics, name="group_ics"),
]
