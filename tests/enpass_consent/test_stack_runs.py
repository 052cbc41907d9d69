from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from enpass_consent.stack_runs import StackSettingsError, for_each_stack, load_settings

TENANT = "11111111-2222-3333-4444-555555555555"


def project(tmp_path: Path, **stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    for name, text in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(text)
    return tmp_path


def test_results_come_back_in_order_each_reported_once(tmp_path: Path) -> None:
    names = [f"s{n}" for n in range(12)]
    done: list[str] = []
    lock = threading.Lock()

    def work(stack: str, config_dir: Path | None) -> str:
        assert config_dir == tmp_path
        time.sleep(0.001 * (12 - int(stack[1:])))  # later stacks finish first
        return stack

    def record(result: str) -> None:
        with lock:
            done.append(result)

    results = for_each_stack(project(tmp_path), names, work, concurrency=4, on_done=record)
    assert results == names and sorted(done) == sorted(names)


def test_an_unusable_project_file_leaves_each_stack_to_report_it(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("stackConfigDir: [\n")
    seen = for_each_stack(tmp_path, ["a"], lambda stack, folder: folder, concurrency=1)
    assert seen == [None]
    with pytest.raises(StackSettingsError, match="not valid YAML"):
        load_settings(tmp_path, "a")


def test_settings_errors_carry_the_tenant_id(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        bad=f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:scopes: [Mail.Read]\n",
        worse="config:\n  azuread:tenantId: nope\n",
    )
    with pytest.raises(StackSettingsError) as caught:
        load_settings(root, "bad")
    assert caught.value.tenant_id == TENANT and "unknown scope 'Mail.Read'" in str(caught.value)
    assert str(caught.value).startswith(str(root / "Pulumi.bad.yaml"))
    with pytest.raises(StackSettingsError) as caught:
        load_settings(root, "worse")
    assert caught.value.tenant_id is None
    assert load_settings(project(tmp_path, ok=f"config:\n  azuread:tenantId: {TENANT}\n"), "ok").tenant_id == TENANT
