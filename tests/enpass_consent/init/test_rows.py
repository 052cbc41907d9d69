"""``--csv FILE``: the table of tenants, and every way the file can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent.init import rows
from enpass_consent.init.rows import CsvError, Request

CLIENT = "c1e17000-0000-4000-8000-00000000c11e"


def write(tmp_path: Path, content: bytes | str) -> Path:
    path = tmp_path / "tenants.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_rows_in_file_order_with_their_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "stack,tenant,clientId\r\n"
        "fabrikam, fabrikam.com ,\r\n"
        "\r\n"
        f'contoso,"contoso.onmicrosoft.com",{CLIENT.upper()}\r\n',
    )
    assert rows.read_csv(path) == [
        Request("fabrikam.com", "fabrikam", None, "tenants.csv", 2),
        Request("contoso.onmicrosoft.com", "contoso", CLIENT, "tenants.csv", 4),
    ]


def test_columns_in_any_order_and_case_and_client_id_optional(tmp_path: Path) -> None:
    path = write(tmp_path, "Tenant,STACK\ncontoso.com,contoso\n")
    assert rows.read_csv(path) == [Request("contoso.com", "contoso", None, "tenants.csv", 2)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"",
            "tenants.csv: is empty; the first line must be the header stack,tenant[,clientId], then one tenant a line",
        ),
        (b"\n \n", "tenants.csv: is empty;"),
        (
            b"\xef\xbb\xbfstack,tenant\ncontoso,contoso.com\n",
            "tenants.csv: starts with a byte order mark (Excel's 'CSV UTF-8' adds one, so the first column would not be called stack)",
        ),
        (b"\xff\xfes\x00t\x00", "tenants.csv: is UTF-16 text; save it as UTF-8"),
        (b"stack,tenant\ncontoso,caf\xe9.com\n", "tenants.csv: is not UTF-8 text (byte 24)"),
        (
            b"stack;tenant;clientId\ncontoso;contoso.com;\n",
            "tenants.csv line 1: the columns are separated by ';'; separate them with commas: stack,tenant[,clientId]",
        ),
        (b"stack\ttenant\ncontoso\tcontoso.com\n", "tenants.csv line 1: the columns are separated by a tab;"),
        (
            b"stack\ncontoso\n",
            "tenants.csv line 1: missing column 'tenant'; the header must be stack,tenant[,clientId]",
        ),
        (b"tenant,clientId\ncontoso.com,\n", "tenants.csv line 1: missing column 'stack'"),
        (b"stack,tenant,region\ncontoso,contoso.com,eu\n", "tenants.csv line 1: unknown column 'region'"),
        (b"stack,tenant,Stack\ncontoso,contoso.com,x\n", "tenants.csv line 1: column 'stack' appears twice"),
        (b"contoso,contoso.com\n", "tenants.csv line 1: unknown column 'contoso'"),
        (b"stack,tenant\n", "tenants.csv: has a header but no tenant rows"),
        (b'stack,tenant\ncontoso,"contoso.com\n', "tenants.csv line 2: not valid CSV (unexpected end of data)"),
    ],
)
def test_a_file_that_is_no_table_is_one_error(tmp_path: Path, content: bytes, message: str) -> None:
    with pytest.raises(CsvError) as raised:
        rows.read_csv(write(tmp_path, content))
    assert str(raised.value).startswith(message)


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CsvError) as raised:
        rows.read_csv(tmp_path / "missing.csv")
    assert str(raised.value) == f"{tmp_path / 'missing.csv'}: cannot read (No such file or directory)"


def test_a_bad_row_is_that_row_s_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "stack,tenant,clientId\n"
        "contoso,contoso.com,\n"
        "fabrikam;fabrikam.com\n"
        "northwind,northwind.com,not-a-guid\n"
        ",woodgrove.com,\n"
        "tailspin,,\n"
        "adatum,adatum.com,,extra\n",
    )
    assert [(r.line, r.problem) for r in rows.read_csv(path)] == [
        (2, None),
        (3, "tenants.csv line 3: 1 field(s) where the header has 3 (are they separated by ';'? use commas)"),
        (4, "tenants.csv line 4: clientId must be the deploying app's client id (a GUID), got 'not-a-guid'"),
        (5, "tenants.csv line 5: the stack cell is empty"),
        (6, "tenants.csv line 6: the tenant cell is empty"),
        (7, "tenants.csv line 7: 4 field(s) where the header has 3"),
    ]


def test_a_quoted_cell_spanning_lines_keeps_the_next_row_s_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'stack,tenant\n"con\ntoso",contoso.com\nfabrikam,fabrikam.com\n')
    assert [(r.line, r.stack) for r in rows.read_csv(path)] == [(2, "con\ntoso"), (4, "fabrikam")]


@pytest.mark.parametrize(
    ("client_id", "expected", "problem"),
    [
        (None, None, None),
        (CLIENT.upper(), CLIENT, None),
        ("abc", None, "--client-id: must be the deploying app's client id (a GUID), got 'abc'"),
        (
            "{" + CLIENT + "}",
            None,
            "--client-id: must be the deploying app's client id (a GUID), got '{" + CLIENT + "}'",
        ),
    ],
)
def test_the_command_line_request(client_id: str | None, expected: str | None, problem: str | None) -> None:
    request = rows.from_options("contoso.com", None, client_id)
    assert (request.client_id, request.problem, request.where("tenant")) == (expected, problem, "--tenant")
