from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from careteam.labels import QUEUE_LABELS
from careteam.selectors import BoardFilters, careteam_members
from careteam.services import NOTE_MAX_LENGTH


class BoardFilterForm(forms.Form):
    """The board's filters, as GET parameters (a bookmark keeps them)."""

    mine = forms.BooleanField(label=_("Mine"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    late = forms.BooleanField(label=_("Late"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    queue = forms.ChoiceField(label=_("Kind of work"), required=False)

    def __init__(self, *args: Any, cities: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        city, queue = self.fields["city"], self.fields["queue"]
        assert isinstance(city, forms.ChoiceField)  # noqa: S101 -- declared above
        assert isinstance(queue, forms.ChoiceField)  # noqa: S101 -- declared above
        city.choices = [("", _("All cities")), *((name, name) for name in cities)]
        queue.choices = [("", _("All kinds")), *QUEUE_LABELS.items()]

    def filters(self) -> BoardFilters:
        """What the form says, or no filter at all where it says nothing valid."""
        if not self.is_valid():
            return BoardFilters()
        data = self.cleaned_data
        return BoardFilters(
            mine=data["mine"], unassigned=data["unassigned"], late=data["late"], city=data["city"], queue=data["queue"]
        )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=careteam_members(), required=False, empty_label=_("Nobody (unassign)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = careteam_members()  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
