from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import gdpr
from .actions import (
    save_account_details,
    save_contact_preferences,
    save_language,
    save_learner_profile,
    save_name,
    stop_sms,
)
from .departements import DEPARTEMENT_CHOICES, DEPARTEMENTS, normalize_departement
from .forms import (
    AccountForm,
    ContactPreferencesForm,
    DeleteAccountForm,
    LearnerProfileForm,
    NameForm,
)
from .models import LearnerProfile, contact_preferences_of
from .roles import Role, roles_of
from .structures import near_you

# Where each role lands after logging in; URL names are resolved lazily so
# accounts imports no other app. The first role that matches wins.
ROLE_HOMES = [
    (Role.MANAGER, "wagtailadmin_home"),
    (Role.EDITOR, "wagtailadmin_home"),
    (Role.COACH, "coaching:queue"),
]
LEARNER_HOME = "pathways:dashboard"


@login_required
def after_login(request):
    """Send each person where they work; learners without a profile go to onboarding."""
    roles = roles_of(request.user)
    for role, url_name in ROLE_HOMES:
        if role in roles:
            return redirect(url_name)
    if not LearnerProfile.objects.filter(user=request.user).exists():
        return redirect("accounts:onboarding")
    return redirect(LEARNER_HOME)


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request):
    """First-login questionnaire, and later the page to edit the same answers."""
    profile = LearnerProfile.objects.filter(user=request.user).first()
    names = {"first_name": request.user.first_name, "last_name": request.user.last_name}
    form = LearnerProfileForm(request.POST or None, instance=profile, initial=names)
    if request.method == "POST" and form.is_valid():
        save_learner_profile(request.user, form.cleaned_data)
        if profile is None:
            messages.success(request, _("Merci ! Votre profil est enregistré. Bonne route !"))
            return redirect(LEARNER_HOME)
        messages.success(request, _("Vos informations sont à jour."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/onboarding.html", {"form": form, "is_first_time": profile is None}
    )


@login_required
@require_http_methods(["GET"])
def profile(request):
    learner_profile = LearnerProfile.objects.filter(user=request.user).first()
    coach_profile = (
        getattr(request.user, "coach_profile", None)
        if Role.COACH in roles_of(request.user)
        else None
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "learner_profile": learner_profile,
            "coach_profile": coach_profile,
            "may_delete": gdpr.may_delete_own_account(request.user),
            "contact": contact_preferences_of(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact(request):
    """« Mon compte »: mobile number, consent to SMS, and channels for each topic."""
    form = ContactPreferencesForm(
        request.POST or None, instance=contact_preferences_of(request.user)
    )
    if request.method == "POST" and form.is_valid():
        save_contact_preferences(request.user, form.cleaned_data)
        messages.success(request, _("Vos préférences de contact sont enregistrées."))
        return redirect("accounts:profile")
    return render(request, "accounts/contact.html", {"form": form})


@login_required
@require_http_methods(["POST"])
def stop_sms_view(request):
    """« Ne plus recevoir de SMS »: one button, consent withdrawn at once."""
    stop_sms(request.user)
    messages.success(
        request,
        _("C’est noté : vous ne recevrez plus de SMS de Balise. Les e-mails continuent."),
    )
    return redirect("accounts:profile")


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def details(request):
    """« Mon compte »: the person's name and language."""
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        save_account_details(request.user, **form.cleaned_data)
        translation.activate(request.user.language)
        messages.success(request, _("Vos informations sont à jour."))
        response = redirect("accounts:profile")
        _remember_language(response, request.user.language)
        return response
    return render(request, "accounts/details.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def ask_name(request):
    """The one-time question to accounts without a first name (see AskNameMiddleware):
    answer it, or go on with « Plus tard »."""
    next_url = _safe_next(request, reverse("accounts:after_login"))
    form = NameForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        save_name(request.user, **form.cleaned_data)
        messages.success(request, _("Merci, c’est noté."))
        return redirect(next_url)
    return render(request, "accounts/ask_name.html", {"form": form, "next": next_url})


def set_language(request):
    """Django's language selector; when logged in, the choice is also stored on the
    account, so e-mails and notifications can speak it."""
    response = i18n.set_language(request)
    language = request.POST.get("language")
    supported = {code for code, _label in settings.LANGUAGES}
    if request.method == "POST" and request.user.is_authenticated and language in supported:
        save_language(request.user, language)
    return response


@require_http_methods(["GET"])
def privacy(request):
    """What Balise keeps, why, how long, who sees what: public, in plain French."""
    return render(
        request,
        "accounts/privacy.html",
        {
            "inactive_warn_days": settings.BALISE_INACTIVE_WARN_DAYS,
            "grace_days": settings.BALISE_INACTIVE_ANONYMISE_AFTER_WARNING_DAYS,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export(request):
    """GET explains; POST builds and downloads the ZIP (a POST, so nothing prefetches it)."""
    if request.method == "POST":
        archive = gdpr.build_export_zip(request.user)
        filename = f"balise-mes-donnees-{timezone.localdate():%Y-%m-%d}.zip"
        return FileResponse(archive, as_attachment=True, filename=filename)
    return render(request, "accounts/export.html")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    """A learner erases their account (confirmed by typing their e-mail); others are told
    that an administrator closes their account (403 on POST)."""
    if not gdpr.may_delete_own_account(request.user):
        status = 403 if request.method == "POST" else 200
        return render(request, "accounts/delete.html", {"refused": True}, status=status)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        gdpr.anonymise_user(request.user)
        logout(request)
        messages.success(
            request,
            _(
                "Votre compte est supprimé : vos informations personnelles et vos réponses "
                "sont effacées. Merci d'avoir utilisé Balise."
            ),
        )
        return redirect("/")
    return render(request, "accounts/delete.html", {"form": form})


@require_http_methods(["GET"])
def structures(request):
    """« Près de chez vous »: the network's active structures by département. The
    département comes from ``?departement=``, else from a logged-in learner's profile."""
    if "departement" in request.GET:
        asked = normalize_departement(request.GET["departement"])
    elif request.user.is_authenticated:
        asked = (
            LearnerProfile.objects.filter(user=request.user)
            .values_list("departement", flat=True)
            .first()
        ) or ""
    else:
        asked = ""
    unknown = asked if asked and asked not in DEPARTEMENTS else ""
    departement = "" if unknown else asked
    groups = [
        (code, DEPARTEMENTS[code], found) for code, found in near_you(departement or None).items()
    ]
    return render(
        request,
        "accounts/structures.html",
        {
            "groups": groups,
            "departement": departement,
            "departement_name": DEPARTEMENTS.get(departement, ""),
            "unknown": unknown,
            "choices": DEPARTEMENT_CHOICES,
        },
    )
