from django.urls import path

from . import carnet, feeds, views

app_name = "pathways"

step = "apprendre/parcours/<id:pathway_id>/modules/<id:module_id>/etapes/<slug:step_id>/"

urlpatterns = [
    path("apprendre/", views.dashboard, name="dashboard"),
    path("apprendre/parcours/<id:pathway_id>/commencer/", views.enroll, name="enroll"),
    path("apprendre/parcours/<id:pathway_id>/continuer/", views.continue_pathway, name="continue"),
    path(step, views.step, name="step"),
    path(f"{step}terminer/", views.complete_step, name="complete_step"),
    path(f"{step}reponses/", views.save_answers, name="save_answers"),
    path(
        "apprendre/parcours/<id:pathway_id>/modules/<id:module_id>/hors-connexion/",
        views.offline_module,
        name="offline_module",
    ),
    path("apprendre/hors-connexion/envois/", views.offline_sync, name="offline_sync"),
    path("apprendre/parcours/<id:pathway_id>/balises/<slug:point_id>/", views.point, name="point"),
    path("apprendre/parcours/<id:pathway_id>/carnet.pdf", carnet.carnet_pdf, name="carnet_pdf"),
    path("apprendre/parcours/<id:pathway_id>/carnet.txt", carnet.carnet_text, name="carnet_text"),
    path("apprendre/medias/<id:media_id>/", views.media_file, name="media_file"),
    path("glossaire/", views.glossary, name="glossary"),
    path("podcasts/flux.xml", feeds.AllPodcastsFeed(), name="podcasts_feed"),
    path("podcasts/audio/<id:media_id>/", feeds.podcast_audio, name="podcast_audio"),
    path(
        "podcasts/parcours/<id:pathway_id>/flux.xml",
        feeds.PathwayPodcastsFeed(),
        name="pathway_podcasts_feed",
    ),
]
