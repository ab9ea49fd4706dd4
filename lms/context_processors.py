from lms.accounts.roles import roles_of


def roles(request):
    """Expose the current user's roles to templates (navigation), computed once per request."""
    user = getattr(request, "user", None)
    return {"user_roles": roles_of(user) if user is not None else frozenset()}
