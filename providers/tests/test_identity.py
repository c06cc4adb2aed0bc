

def test_the_dashboard_tells_the_provider_its_changes_are_under_review(client, clinic, clinic_admin):
    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))
    client.force_login(clinic_admin)

    page = client.get(reverse("providers:dashboard", kwargs={"provider_id": clinic.pk})).content.decode()

    assert 'data-testid="changes-under-review"' in page
    assert "See the public page" not in page


def test_a_suspended_providers_changes_wait_for_the_careteams_next_decision(clinic, clinic_admin, careteam):
    services.provider_suspend(provider=clinic, actor=careteam, checked="Complaint", note="", now=timezone.now())

    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))

    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.SUSPENDED
    assert clinic.identity_changes["name"]["to"] == "Mayo Clinic Rochester"
    assert AuditEvent.objects.filter(action="providers.provider.identity_changed").exists()
