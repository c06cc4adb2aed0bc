from accounts.models import StaffGroup

STAFF_MENUS = [StaffGroup.CARETEAM, StaffGroup.FINANCE, StaffGroup.MEDICAL_COORDINATOR]


def roles(request):
    """Which staff menus the signed-in user sees (one query, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_careteam": False, "is_finance": False, "is_coordinator": False}
    groups = set(user.groups.filter(name__in=STAFF_MENUS).values_list("name", flat=True))
    return {
        "is_careteam": StaffGroup.CARETEAM in groups,
        "is_finance": StaffGroup.FINANCE in groups,
        "is_coordinator": StaffGroup.MEDICAL_COORDINATOR in groups,
    }
