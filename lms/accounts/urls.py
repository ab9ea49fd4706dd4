from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("accueil/", views.after_login, name="after_login"),
    path("bienvenue/", views.onboarding, name="onboarding"),
    path("identite/", views.details, name="details"),
    path("contact/", views.contact, name="contact"),
    path("contact/arreter-les-sms/", views.stop_sms_view, name="stop_sms"),
    path("votre-prenom/", views.ask_name, name="ask_name"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("mes-donnees/", views.export, name="export"),
    path("supprimer/", views.delete, name="delete"),
]
