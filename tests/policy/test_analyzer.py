"""Enforcement levels, --policy-pack-config overrides and preview unknowns through the SDK's analyzer."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime import proto
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy.analyzer import analyze_request, configure, resource_options, servicer, struct, summary
from tests.policy.builders import ASSIGN_TYPE, ENPASS_SCOPES, GRANT_TYPE, SP_TYPE, good_props

SCOPES_DESCRIPTION = "Enpass may hold only allow-listed delegated Microsoft Graph scopes."
MAIL_READ = f"{SCOPES_DESCRIPTION}\nScopes outside the allow-list (policy config allowedScopes): Mail.Read"


def grant_request(*claim_values: str, **options: Any) -> Any:
    return analyze_request(
        GRANT_TYPE, "enpass-grant", good_props(GRANT_TYPE, claimValues=list(claim_values)), **options
    )


@pytest.mark.parametrize("resource_type", [SP_TYPE, GRANT_TYPE, ASSIGN_TYPE])
def test_known_good_resources_have_no_diagnostics(resource_type: str) -> None:
    response = servicer().Analyze(analyze_request(resource_type, "r", good_props(resource_type)), None)
    assert summary(response) == []


def test_mandatory_violation_carries_description_level_and_severity() -> None:
    response = servicer().Analyze(grant_request(*ENPASS_SCOPES, "Mail.Read"), None)
    (diagnostic,) = response.diagnostics
    assert (diagnostic.policyName, diagnostic.policyPackName) == (
        "enpass-scopes-allowlisted",
        "enpass-consent-guardrails",
    )
    assert diagnostic.enforcementLevel == proto.MANDATORY
    assert diagnostic.severity == proto.POLICY_SEVERITY_HIGH
    assert diagnostic.message == MAIL_READ


def test_protected_is_advisory() -> None:
    response = servicer().Analyze(analyze_request(SP_TYPE, "enpass-sp", good_props(SP_TYPE), protect=False), None)
    assert summary(response) == [
        (
            "enpass-protected",
            "advisory",
            "The Enpass service principal and its grants should be protected against deletion.\n"
            "Service principal is not protected (protect is false)",
        )
    ]


@pytest.mark.parametrize(
    ("policy_pack_config", "expected"),
    [
        pytest.param({}, [("enpass-scopes-allowlisted", "mandatory", MAIL_READ)], id="defaults"),
        pytest.param(
            {"enpass-scopes-allowlisted": "advisory"},
            [("enpass-scopes-allowlisted", "advisory", MAIL_READ)],
            id="level-advisory",
        ),
        pytest.param({"enpass-scopes-allowlisted": "disabled"}, [], id="level-disabled"),
        pytest.param({"all": "disabled"}, [], id="all-disabled"),
        pytest.param(
            {"all": "advisory", "enpass-scopes-allowlisted": {"enforcementLevel": "mandatory"}},
            [("enpass-scopes-allowlisted", "mandatory", MAIL_READ)],
            id="all-advisory-but-scopes-mandatory",
        ),
        pytest.param(
            {"enpass-scopes-allowlisted": {"allowedScopes": [*ENPASS_SCOPES, "Mail.Read"]}}, [], id="widened-allow-list"
        ),
        pytest.param(
            {"enpass-scopes-allowlisted": {"allowedScopes": ["User.Read"], "enforcementLevel": "advisory"}},
            [
                (
                    "enpass-scopes-allowlisted",
                    "advisory",
                    f"{SCOPES_DESCRIPTION}\nScopes outside the allow-list (policy config allowedScopes): "
                    "Files.ReadWrite.AppFolder, offline_access, Sites.ReadWrite.All, Team.ReadBasic.All, "
                    "User.ReadBasic.All, Channel.ReadBasic.All, Group.Read.All, Mail.Read",
                )
            ],
            id="narrowed-allow-list-as-advisory",
        ),
    ],
)
def test_policy_pack_config(policy_pack_config: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    analyzer = servicer()
    configure(analyzer, policy_pack_config)
    assert summary(analyzer.Analyze(grant_request(*ENPASS_SCOPES, "Mail.Read"), None)) == expected


def test_custom_enpass_client_id() -> None:
    other = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
    analyzer = servicer()
    configure(analyzer, {"enpass-client-id-pinned": {"enpassClientId": other}})
    response = analyzer.Analyze(analyze_request(SP_TYPE, "enpass-sp", good_props(SP_TYPE)), None)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("enpass-client-id-pinned", proto.MANDATORY)
    ]


def test_unknown_claim_values_during_preview_become_an_advisory_cant_run() -> None:
    response = servicer().Analyze(grant_request("User.Read", UNKNOWN_STRING_VALUE), None)
    assert summary(response) == [
        (
            "enpass-scopes-allowlisted",
            "advisory",
            "can't run policy 'enpass-scopes-allowlisted' from policy pack 'enpass-consent-guardrails@v0.0.1' "
            "during preview: string value at .claimValues.1 can't be known during preview",
        )
    ]


def test_unknown_claim_values_still_report_known_extras_as_mandatory() -> None:
    response = servicer().Analyze(grant_request("Mail.Read", UNKNOWN_STRING_VALUE), None)
    assert [(policy, level) for policy, level, _ in summary(response)] == [
        ("enpass-scopes-allowlisted", "mandatory"),
        ("enpass-scopes-allowlisted", "advisory"),
    ]


def test_preview_of_a_new_grant_with_unknown_sp_object_id_is_decided() -> None:
    # A new SP's object id is unknown during preview; no rule needs it for a grant, so none is undecided.
    props = good_props(GRANT_TYPE, servicePrincipalObjectId=UNKNOWN_STRING_VALUE)
    assert summary(servicer().Analyze(analyze_request(GRANT_TYPE, "enpass-grant", props), None)) == []


def _stack_resource(
    resource_type: str, name: str, props: dict[str, Any], *, deps: tuple[str, ...] = (), property_deps: Any = None
) -> Any:
    urn = f"urn:pulumi:contoso::enpass-consent::{resource_type}::{name}"
    return proto.AnalyzerResource(
        type=resource_type,
        properties=struct(props),
        urn=urn,
        name=name,
        options=resource_options(),
        dependencies=list(deps),
        propertyDependencies={k: proto.AnalyzerPropertyDependencies(urns=v) for k, v in (property_deps or {}).items()},
    )


def test_analyze_stack_during_preview_attributes_assignments_by_dependency() -> None:
    sp_urn = f"urn:pulumi:contoso::enpass-consent::{SP_TYPE}::enpass-sp"
    sp = _stack_resource(
        SP_TYPE, "enpass-sp", good_props(SP_TYPE, appRoleAssignmentRequired=False, objectId=UNKNOWN_STRING_VALUE)
    )
    assignment = _stack_resource(
        ASSIGN_TYPE,
        "enpass-assign-team-eu",
        good_props(ASSIGN_TYPE, resourceObjectId=UNKNOWN_STRING_VALUE),
        deps=(sp_urn,),
        property_deps={"resourceObjectId": [sp_urn]},
    )
    response = servicer().AnalyzeStack(proto.AnalyzeStackRequest(resources=[sp, assignment]), None)
    (diagnostic,) = response.diagnostics
    assert diagnostic.enforcementLevel == proto.MANDATORY and diagnostic.urn == sp_urn
    assert diagnostic.message.endswith("so these assignments restrict nothing: enpass-assign-team-eu")


def test_analyze_stack_undecidable_assignment_is_an_advisory_cant_run() -> None:
    sp = _stack_resource(SP_TYPE, "enpass-sp", good_props(SP_TYPE, appRoleAssignmentRequired=False))
    stray = _stack_resource(ASSIGN_TYPE, "stray", good_props(ASSIGN_TYPE, resourceObjectId=UNKNOWN_STRING_VALUE))
    response = servicer().AnalyzeStack(proto.AnalyzeStackRequest(resources=[sp, stray]), None)
    assert summary(response) == [
        (
            "enpass-assignment-required-when-assigned",
            "advisory",
            "can't run policy 'enpass-assignment-required-when-assigned' from policy pack "
            "'enpass-consent-guardrails@v0.0.1' during preview: "
            "string value at .stray.resourceObjectId can't be known during preview",
        )
    ]


def test_analyzer_info_lists_every_policy_with_metadata() -> None:
    info = servicer().GetAnalyzerInfo(None, None)
    assert info.name == "enpass-consent-guardrails" and info.supportsConfig
    policies = {p.name: p for p in info.policies}
    assert len(policies) == 6
    assert all(p.remediation_steps and p.severity != proto.POLICY_SEVERITY_UNSPECIFIED for p in policies.values())
    scopes_schema = policies["enpass-scopes-allowlisted"].configSchema.properties["allowedScopes"]
    assert list(scopes_schema["default"]) == [*ENPASS_SCOPES, "openid", "profile", "email"]
