"""Mounted at ``apprendre/`` (before the pathways' own ``apprendre/...`` routes, which use
other path segments: ``commencer/``, ``continuer/``, ``modules/<id>/etapes/``, ``balises/<id>/``,
``carnet.*``)."""

from django.urls import path

from . import views
from .models import Moment

app_name = "outcomes"

pathway = "parcours/<id:pathway_id>/"

urlpatterns = [
    path("competences/", views.profile, name="profile"),
    path("autodiagnostic/", views.diagnosis, {"moment": Moment.FREE}, name="diagnosis_free"),
    path("autodiagnostic/<id:pk>/", views.diagnosis_result, name="diagnosis_result"),
    path(
        "autodiagnostic/<id:pk>/accompagnement/",
        views.diagnosis_request_coaching,
        name="diagnosis_request_coaching",
    ),
    path(
        f"{pathway}autodiagnostic/debut/",
        views.diagnosis,
        {"moment": Moment.START},
        name="diagnosis_start",
    ),
    path(
        f"{pathway}autodiagnostic/fin/",
        views.diagnosis,
        {"moment": Moment.END},
        name="diagnosis_end",
    ),
    path(
        f"{pathway}jalon/debut/", views.milestone, {"moment": Moment.START}, name="milestone_start"
    ),
    path(
        f"{pathway}balises/<slug:point_id>/jalon/",
        views.milestone,
        {"moment": Moment.POINT},
        name="milestone_point",
    ),
    path(f"{pathway}jalon/fin/", views.milestone, {"moment": Moment.END}, name="milestone_end"),
    path(f"{pathway}avis/", views.satisfaction, name="satisfaction"),
    path(f"{pathway}modules/<id:module_id>/avis/", views.module_feedback, name="module_feedback"),
]
