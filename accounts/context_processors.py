from accounts.models import StaffGroup


def roles(request):
    """Which staff menus the signed-in user sees (one query, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_careteam": False, "is_finance": False}
    groups = set(user.groups.filter(name__in=[StaffGroup.CARETEAM, StaffGroup.FINANCE]).values_list("name", flat=True))
    return {"is_careteam": StaffGroup.CARETEAM in groups, "is_finance": StaffGroup.FINANCE in groups}
