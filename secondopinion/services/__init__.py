"""Second opinions' rules, one module per side: `requests` (the patient), `triage` (the medical
coordinator), `specialists` (the specialist's profile, acceptance, the written opinion),
`after` (follow-ups, the in-person consultation, share links), `deadlines` (the clock's alerts
and the breach refund). Every status change goes through `machine.CASE`."""
