from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .actions import save_learner_profile
from .forms import LearnerProfileForm
from .models import LearnerProfile
from .roles import Role, roles_of

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
    form = LearnerProfileForm(request.POST or None, instance=profile)
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
        {"learner_profile": learner_profile, "coach_profile": coach_profile},
    )
