from accounts.models import PatientProfile, StaffGroup
from core import hooks

STAFF_MENUS = [StaffGroup.CARETEAM, StaffGroup.FINANCE, StaffGroup.MEDICAL_COORDINATOR]
NOBODY = {
    "is_careteam": False,
    "is_finance": False,
    "is_coordinator": False,
    "is_provider_member": False,
    "is_patient": False,
    "is_staff_role": False,
}


def roles(request):
    """Which menus the signed-in user sees (templates/base.html): the staff groups', a provider
    member's (asked through `core.hooks.privileged_roles`, providers being a floor above), and the
    patient's, for those with a patient profile. Three queries, only for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return NOBODY
    groups = set(user.groups.filter(name__in=STAFF_MENUS).values_list("name", flat=True))
    granted = {role for answer in hooks.privileged_roles.call(user) for role in answer}
    found = {
        "is_careteam": StaffGroup.CARETEAM in groups,
        "is_finance": StaffGroup.FINANCE in groups,
        "is_coordinator": StaffGroup.MEDICAL_COORDINATOR in groups,
        "is_provider_member": "provider_member" in granted,
        "is_patient": PatientProfile.objects.filter(user_id=user.pk).exists(),
    }
    return found | {
        "is_staff_role": any(
            found[key] for key in ("is_careteam", "is_finance", "is_coordinator", "is_provider_member")
        )
    }
