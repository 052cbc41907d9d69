"""A CI provider's OIDC token service, for end-to-end tests of ``ARM_USE_OIDC`` (GitHub Actions, Azure DevOps).

``GET {base}/_ci/token?audience=…`` with ``Authorization: bearer <request token>`` answers
``{"value": <assertion>}`` as GitHub's ``ACTIONS_ID_TOKEN_REQUEST_URL`` does
(https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect);
``POST {base}/_ci/token?api-version=7.1&serviceConnectionId=…`` answers ``{"oidcToken": <assertion>}``
as Azure DevOps' ``SYSTEM_OIDCREQUESTURI`` does
(https://learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create). The assertion's
issuer is ``{base}/_ci``; its subject is ``github_subject``, or for Azure DevOps
``sc://<organization>/<project>/<service connection>`` (here the connection id names it). A wrong or
missing request token is 401, as both services answer it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from enpass_consent.emulator.login import LoginResponse
from enpass_consent.emulator.tokens import federated_assertion

CI_TOKEN_PATH = "/_ci/token"
DEFAULT_REQUEST_TOKEN = "fake-ci-request-token"
DEFAULT_GITHUB_SUBJECT = "repo:contoso/enpass-consent:environment:prod"


@dataclass
class CiTokenService:
    base_url: Callable[[], str]
    request_token: str = DEFAULT_REQUEST_TOKEN
    github_subject: str = DEFAULT_GITHUB_SUBJECT
    ado_project: str = "sc://contoso/enpass-consent"
    issued: list[str] = field(default_factory=list)
    """Subjects of the assertions handed out, in order."""

    @property
    def issuer(self) -> str:
        return f"{self.base_url()}/_ci"

    def ado_subject(self, service_connection_id: str) -> str:
        return f"{self.ado_project}/{service_connection_id}"

    def reset(self) -> None:
        self.request_token = DEFAULT_REQUEST_TOKEN
        self.github_subject = DEFAULT_GITHUB_SUBJECT
        self.issued.clear()

    def answer(self, method: str, query: dict[str, str], headers: dict[str, str]) -> LoginResponse:
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or token != self.request_token:
            return LoginResponse(401, {"message": "Bad credentials"}, {})
        if method == "GET":
            audience = query.get("audience")
            if not audience:
                return LoginResponse(400, {"message": "audience is required"}, {})
            self.issued.append(self.github_subject)
            return LoginResponse(200, {"count": 1, "value": federated_assertion(self.issuer, self.github_subject,
                                                                                audience=audience)}, {})  # fmt: skip
        connection = query.get("serviceConnectionId")
        if method != "POST" or query.get("api-version") != "7.1" or not connection:
            return LoginResponse(400, {"message": "api-version=7.1 and serviceConnectionId are required"}, {})
        subject = self.ado_subject(connection)
        self.issued.append(subject)
        return LoginResponse(200, {"oidcToken": federated_assertion(self.issuer, subject)}, {})
