from accounts.models import StaffGroup


def roles(request):
    """Which staff menus the signed-in user sees (one query, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_careteam": False}
    return {"is_careteam": user.groups.filter(name=StaffGroup.CARETEAM).exists()}
