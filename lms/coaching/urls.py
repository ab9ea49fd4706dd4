from django.urls import path

from . import views

app_name = "coaching"

urlpatterns = [
    path("", views.my_coaching, name="my_coaching"),
    path("demandes/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("rendez-vous/<int:pk>/repondre/", views.answer_session, name="answer_session"),
    path("rendez-vous/<int:pk>/invitation.ics", views.session_ics, name="session_ics"),
    path("parcours/<int:pathway_id>/aide/", views.ask_for_help, name="help"),
    path(
        "parcours/<int:pathway_id>/balises/<slug:point_id>/demander/",
        views.accept_offer,
        name="accept_offer",
    ),
    # Coach workspace
    path("file/", views.queue, name="queue"),
    path("demandes/<int:pk>/", views.request_detail, name="request"),
    path("demandes/<int:pk>/prendre/", views.claim, name="claim"),
    path("demandes/<int:pk>/rendez-vous/", views.propose_session, name="propose_session"),
    path("demandes/<int:pk>/notes/", views.save_notes, name="notes"),
    path("demandes/<int:pk>/cloturer/", views.close, name="close"),
    path("demandes/<int:pk>/rendre/", views.hand_back, name="hand_back"),
]
