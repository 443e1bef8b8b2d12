"""Services as a spreadsheet (CSV/XLSX) through django-import-export.

Rows are matched on the HSDS id, so a spreadsheet exported, edited and imported
again updates services rather than adding copies. Everything is scoped to one
organisation: its services and its categories, nobody else's.
"""

import uuid

from django.utils import timezone
from import_export import fields, resources, widgets

from .models import SERVICE_DETAILS, Category, Service


class CategoriesWidget(widgets.ManyToManyWidget):
    def __init__(self, organisation):
        super().__init__(Category, separator=";", field="name")
        self.organisation = organisation

    def clean(self, value, row=None, **kwargs):
        names = [n.strip().lower() for n in str(value or "").split(";") if n.strip()]
        wanted = [
            c
            for c in Category.objects.filter(organisation=self.organisation)
            if c.name.lower() in names
        ]
        unknown = set(names) - {c.name.lower() for c in wanted}
        if unknown:
            raise ValueError(
                "No category called " + ", ".join(f"“{n}”" for n in sorted(unknown))
            )
        return Category.objects.filter(pk__in=[c.pk for c in wanted])

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "; ".join(c.name for c in value.all())


class UUIDWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return uuid.UUID(str(value).strip())
        except ValueError:
            raise ValueError(f"“{value}” isn't a valid id") from None


class ServiceResource(resources.ModelResource):
    hsds_id = fields.Field(attribute="hsds_id", column_name="id", widget=UUIDWidget())

    class Meta:
        model = Service
        import_id_fields = ["hsds_id"]
        fields = ["hsds_id", *SERVICE_DETAILS[:3], "categories", *SERVICE_DETAILS[3:]]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, organisation, **kwargs):
        super().__init__(**kwargs)
        self.organisation = organisation
        self.fields["categories"] = fields.Field(
            attribute="categories",
            column_name="categories",
            widget=CategoriesWidget(organisation),
        )

    def init_instance(self, row=None):
        return Service(organisation=self.organisation)

    def before_import_row(self, row, **kwargs):
        # A new row typed into the spreadsheet has no id yet.
        if not (row.get("id") or "").strip():
            row["id"] = str(uuid.uuid4())

    def get_queryset(self):
        return Service.objects.filter(organisation=self.organisation).prefetch_related(
            "categories"
        )

    def before_save_instance(self, instance, row, **kwargs):
        instance.organisation = self.organisation
        instance.last_modified = timezone.now()

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            instance.refresh_search_key()

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if not kwargs.get("dry_run") and instance.pk:
            instance.refresh_search_key()
