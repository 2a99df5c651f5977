from django import forms

from orgs.models import Region


class DirectoryUploadForm(forms.Form):
    region = forms.ModelChoiceField(
        label="Субъект РФ", queryset=Region.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label="Список участников (.xlsx или .csv)",
        help_text="Столбцы: муниципальное образование, полное и краткое наименование, ИНН, "
        "адрес, уровни (НОО, ООО, СОО), ОВЗ (да/нет), год вступления в проект.",
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError("Загрузите файл .xlsx или .csv.")
        if uploaded.size > 10 * 1024 * 1024:
            raise forms.ValidationError("Файл больше 10 МБ; разделите список на части.")
        return uploaded
