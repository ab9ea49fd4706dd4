from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import CoachProfile, LearnerProfile, Membership, Structure, User
from .structures import holdings


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Identité"), {"fields": ["first_name", "last_name"]}),
        (_("Droits"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "departement", "area_type", "situation", "preferred_modality"]
    list_filter = ["area_type", "situation", "preferred_modality", "departement"]
    search_fields = ["user__email", "commune"]
    raw_id_fields = ["user"]


@admin.register(CoachProfile)
class CoachProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "structure", "capacity", "absent_until"]
    list_filter = ["structure"]
    search_fields = ["user__email", "structure__name"]
    raw_id_fields = ["user"]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "departements", "remote_only", "active"]
    list_filter = ["kind", "remote_only", "active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["logo"]
    inlines = [MembershipInline]
    # A structure holding requests or coaches cannot be deleted (PROTECT): these pages say
    # so, and what to do instead, above Django's list of what holds it.
    delete_confirmation_template = "admin/accounts/structure/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/accounts/structure/delete_selected_confirmation.html"
    )

    def delete_view(self, request, object_id, extra_context=None):
        structure = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if structure is not None:
            extra_context["holdings"] = holdings(structure)
        return super().delete_view(request, object_id, extra_context)
