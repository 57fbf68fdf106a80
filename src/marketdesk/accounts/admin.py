from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import ApiToken, Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "email", "role", "is_active")
    list_filter = ("role", "is_active", "teams")
    fieldsets = BaseUserAdmin.fieldsets + ((_("MarketDesk"), {"fields": ("role", "language")}),)
    inlines = [MembershipInline]

    @admin.display(description=_("full name"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "time_zone")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "digest", "created_at", "last_used_at")
    list_filter = ("revoked_at",)

    def has_add_permission(self, request):
        return False  # tokens are issued on the profile page, where the secret is shown once
