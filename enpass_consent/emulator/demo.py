"""The demo tenants of ``enpass-consent sandbox``: one story each, with the stack file that goes with it.

Each tenant is built from the scenario builders, so the demo shows exactly what the tests check.
Ids are deterministic (``new_id``): the README's recorded output stays true from run to run.
"""

from __future__ import annotations

from dataclasses import dataclass

from enpass_consent.emulator import scenarios
from enpass_consent.emulator.state import DEPLOYER_CLIENT_ROLES, Tenant, new_id
from enpass_consent.service_principal import MANAGED_NOTE


@dataclass(frozen=True)
class DemoTenant:
    name: str
    """The stack name (``Pulumi.<name>.yaml``) and the tenant's short name."""
    tenant: Tenant
    story: str
    """What the tenant shows, in one line."""
    stack_file: str | None
    """The stack file's text, or None for a tenant to onboard (consented by hand, no stack file yet)."""

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id


def demo_tenant_id(name: str) -> str:
    return new_id("sandbox", name)


def _stack_file(comment: str, tenant_id: str, *settings: str) -> str:
    return "\n".join([f"# {comment}", "config:", f"  azuread:tenantId: {tenant_id}", *settings]) + "\n"


def _tenant(name: str, display_name: str, *, managed: bool = True) -> Tenant:
    """``managed``: the service principal as `pulumi up` left it (with the program's notes); else clicked through."""
    tenant = scenarios.in_sync_tenant(demo_tenant_id(name), client_roles=list(DEPLOYER_CLIENT_ROLES))
    tenant.display_name = display_name
    tenant.domains = [f"{name}.onmicrosoft.com"]  # `init --tenant wingtip.onmicrosoft.com` resolves it
    if managed:
        scenarios.enpass_sp(tenant).notes = MANAGED_NOTE
    return tenant


def contoso() -> DemoTenant:
    tenant = _tenant("contoso", "Contoso")
    return DemoTenant(
        "contoso",
        tenant,
        "in sync with its stack file: Enpass consented tenant-wide with its 8 scopes",
        _stack_file("Contoso: Enpass for everyone, the default settings.", tenant.tenant_id),
    )


def fabrikam() -> DemoTenant:
    """Someone clicked around in the portal: one finding of each kind that tenant-wide consent can show."""
    tenant = _tenant("fabrikam", "Fabrikam")
    users = [scenarios.add_user(tenant, name) for name in ("Adele Vance", "Alex Wilber")]
    scenarios.assign(tenant, scenarios.add_group(tenant, "Enpass Users", members=[u.id for u in users]))
    scenarios.add_group(tenant, "Finance", members=[scenarios.add_user(tenant, "Megan Bowen").id])  # never assigned
    scenarios.set_assignment_required(tenant, False)  # "Assignment required?" switched off
    scenarios.disable_enpass(tenant)  # "Enabled for users to sign in?" switched off
    scenarios.add_scope(tenant, "Mail.Read")  # consent clicked again, for more than Enpass needs
    scenarios.remove_scope(tenant, "Group.Read.All")  # users get "Need admin approval"
    scenarios.add_user_grant(tenant, scenarios.add_user(tenant, "Lynne Robbins").id, ["User.Read", "offline_access"])
    scenarios.add_foreign_grant(tenant, "Office 365 Exchange Online", "EWS.AccessAsUser.All")
    scenarios.add_app_permission(tenant, "Mail.Read")  # application permission: every mailbox, no user needed
    scenarios.assign(tenant, scenarios.add_user(tenant, "Isaiah Langer"))  # assigned by hand
    scenarios.add_entra_id_p1(tenant)
    return DemoTenant(
        "fabrikam",
        tenant,
        "drifted in every way a tenant-wide consent can: one finding of each kind",
        _stack_file(
            "Fabrikam: Enpass for two groups. The sandbox's tenant has drifted from this file.",
            tenant.tenant_id,
            "  enpass-consent:groups:",
            "    - Enpass Users",
            "    - Finance",
        ),
    )


def northwind() -> DemoTenant:
    """Before the first ``pulumi up``: no Enpass yet, one group ready, one member without OneDrive."""
    tenant = scenarios.empty_tenant(
        demo_tenant_id("northwind"), client_roles=list(DEPLOYER_CLIENT_ROLES), display_name="Northwind Traders"
    )
    members = [scenarios.add_user(tenant, name) for name in ("Nestor Wilke", "Patti Fernandez")]
    members.append(scenarios.add_user(tenant, "Pradeep Gupta", licensed=False))
    scenarios.add_group(tenant, "Enpass Users", members=[u.id for u in members])
    scenarios.add_entra_id_p1(tenant)
    return DemoTenant(
        "northwind",
        tenant,
        "no Enpass yet: run preflight before the first `pulumi up`",
        _stack_file(
            "Northwind Traders: not deployed yet (`pulumi up` creates the consent).",
            tenant.tenant_id,
            "  enpass-consent:groups:",
            "    - Enpass Users",
        ),
    )


def tailspin() -> DemoTenant:
    """Enpass restricted to two groups and one user, all assigned, Entra ID P1 in place."""
    tenant = _tenant("tailspin", "Tailspin Toys")
    staff = [scenarios.add_user(tenant, name) for name in ("Diego Siciliani", "Grady Archie")]
    it = [scenarios.add_user(tenant, name) for name in ("Johanna Lorenz", "Joni Sherman")]
    director = scenarios.add_user(tenant, "Lee Gu")
    scenarios.assign(tenant, scenarios.add_group(tenant, "Enpass Users", members=[u.id for u in staff]))
    scenarios.assign(tenant, scenarios.add_group(tenant, "IT Department", members=[u.id for u in it]))
    scenarios.assign(tenant, director)
    scenarios.set_assignment_required(tenant, True)
    scenarios.add_entra_id_p1(tenant)
    return DemoTenant(
        "tailspin",
        tenant,
        "in sync, assigned to two groups and one user (assignment required)",
        _stack_file(
            "Tailspin Toys: Enpass only for the assigned groups and user.",
            tenant.tenant_id,
            "  enpass-consent:groups:",
            "    - Enpass Users",
            "    - IT Department",
            "  enpass-consent:users:",
            f"    - {director.id}  # Lee Gu",
        ),
    )


def wingtip() -> DemoTenant:
    """An administrator clicked the consent link long ago; a user had consented before that."""
    tenant = _tenant("wingtip", "Wingtip Toys", managed=False)
    scenarios.add_user_grant(tenant, scenarios.add_user(tenant, "Miriam Graham").id, ["User.Read", "offline_access"])
    return DemoTenant(
        "wingtip",
        tenant,
        "Enpass consented by hand, no stack file yet: onboard it with init --from-tenant",
        None,
    )


def demo_tenants() -> list[DemoTenant]:
    """Fresh demo tenants, in the order the sandbox lists them."""
    return [contoso(), fabrikam(), northwind(), tailspin(), wingtip()]
