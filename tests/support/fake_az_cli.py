"""A fake ``az`` (the Azure CLI) against the emulator: ``login``, ``logout``, ``account get-access-token``.

It keeps what ``az login`` leaves behind, a refresh token of the Azure CLI's public client, in a state
file, and answers ``az account get-access-token --tenant T --resource R --output json`` the way az
does: by redeeming that refresh token at T's token endpoint (the emulator's), so the token has the
tid, oid and scp a real one would have, and fails like az when nobody signed in. Output fields as
the Azure CLI prints them: ``accessToken``, ``expiresOn`` (local time), ``expires_on`` (POSIX
seconds), ``tenant``, ``tokenType`` (go-azure-sdk ``azure_cli_authorizer.go`` reads the same).

Run as ``python fake_az_cli.py ...`` through the wrapper script the ``fake_az`` fixture puts on PATH.
Standard library only: it starts quickly and needs nothing from the project.
"""

from __future__ import annotations

import datetime
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

# The Azure CLI's public client: Azure/azure-cli src/azure-cli-core/azure/cli/core/auth/identity.py
# (AZURE_CLI_CLIENT_ID). A real az token's scp is what the tenant consented to that client.
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
NOT_SIGNED_IN = "ERROR: Please run 'az login' to setup account."


def _post(url: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    context = ssl.create_default_context(cafile=os.environ["FAKE_AZ_CA_BUNDLE"])
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv and argv.index(name) + 1 < len(argv) else None


def _state_path() -> str:
    return os.environ["FAKE_AZ_STATE"]


def login(argv: list[str]) -> int:
    tenant = _option(argv, "--tenant") or "organizations"
    authority = f"{os.environ['FAKE_AZ_AUTHORITY']}/{tenant}"
    scope = "https://management.core.windows.net//.default offline_access openid profile"
    status, flow = _post(f"{authority}/oauth2/v2.0/devicecode", {"client_id": AZURE_CLI_CLIENT_ID, "scope": scope})
    if status != 200:
        print(f"ERROR: {flow.get('error_description', flow)}", file=sys.stderr)
        return 1
    status, token = _post(
        f"{authority}/oauth2/v2.0/token",
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": AZURE_CLI_CLIENT_ID,
            "device_code": flow["device_code"],
        },
    )
    if status != 200:
        print(f"ERROR: {token.get('error_description', token)}", file=sys.stderr)
        return 1
    with open(_state_path(), "w", encoding="utf-8") as handle:
        json.dump({"refresh_token": token["refresh_token"], "tenant": tenant}, handle)
    print(json.dumps([{"tenantId": tenant, "state": "Enabled", "user": {"type": "user"}}]))
    return 0


def get_access_token(argv: list[str]) -> int:
    if not os.path.exists(_state_path()):
        print(NOT_SIGNED_IN, file=sys.stderr)
        return 1
    with open(_state_path(), encoding="utf-8") as handle:
        state = json.load(handle)
    tenant = _option(argv, "--tenant") or state["tenant"]
    resource = _option(argv, "--resource") or "https://management.core.windows.net/"
    status, body = _post(
        f"{os.environ['FAKE_AZ_AUTHORITY']}/{tenant}/oauth2/v2.0/token",
        {
            "grant_type": "refresh_token",
            "client_id": AZURE_CLI_CLIENT_ID,
            "refresh_token": state["refresh_token"],
            "scope": f"{resource.rstrip('/')}/.default offline_access openid profile",
        },
    )
    if status != 200:
        # What az prints when the tenant needs a new sign-in (MFA, consent, no access there).
        print(f"ERROR: {body.get('error_description', body)}", file=sys.stderr)
        print("Run the command below to authenticate interactively; additional arguments may be added as needed:",
              file=sys.stderr)  # fmt: skip
        print(f'az logout\naz login --tenant "{tenant}" --scope "{resource.rstrip("/")}/.default"', file=sys.stderr)
        return 1
    expires_on = int(time.time()) + int(body["expires_in"])
    print(
        json.dumps(
            {
                "accessToken": body["access_token"],
                "expiresOn": datetime.datetime.fromtimestamp(expires_on).strftime("%Y-%m-%d %H:%M:%S.%f"),
                "expires_on": expires_on,
                "tenant": tenant,
                "tokenType": "Bearer",
            },
            indent=2,
        )
    )
    return 0


def main(argv: list[str]) -> int:
    with open(os.environ["FAKE_AZ_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(argv) + "\n")
    if argv[:1] == ["login"]:
        return login(argv)
    if argv[:1] == ["logout"]:
        if os.path.exists(_state_path()):
            os.unlink(_state_path())
        return 0
    if argv[:2] == ["account", "get-access-token"]:
        return get_access_token(argv)
    if argv[:1] == ["version"]:
        print(json.dumps({"azure-cli": "2.75.0"}))
        return 0
    print(f"ERROR: 'az {' '.join(argv[:2])}' is not emulated", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
