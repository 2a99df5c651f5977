from django import forms

from notifications.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    mode = forms.ChoiceField(
        label="Письма об уведомлениях",
        choices=EmailPreference.Mode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите, как присылать письма.",
            "invalid_choice": "Выберите один из предложенных вариантов.",
        },
    )
