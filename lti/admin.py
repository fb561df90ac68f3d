"""Registrations, deployments, activities and the score outbox in the Django admin."""

from django.contrib import admin

from lti.models import Activity, Deployment, Registration, ScoreOutbox


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "issuer", "client_id", "created_at")
    search_fields = ("issuer", "client_id", "name")
    inlines = [DeploymentInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("__str__", "deployment", "resource_link_id", "configured")
    list_filter = ("configured",)


@admin.register(ScoreOutbox)
class ScoreOutboxAdmin(admin.ModelAdmin):
    list_display = ("pk", "activity", "user", "status", "attempts", "next_attempt_at")
    list_filter = ("status",)
    readonly_fields = ("payload",)
