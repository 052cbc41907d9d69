"""A self-contained HTML page of a fleet run, for the morning drift review.

One file, no external resources (inline CSS and JS, a Content-Security-Policy that forbids
anything else), every value HTML-escaped: stack names, errors and finding messages come from
tenants and engines and are never trusted as markup. The table sorts by any column and filters.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from enpass_consent.attribution.result import LastChange
from enpass_consent.findings import Finding
from enpass_consent.fleet.report import attribution_info, drift_findings, format_changes, summary_line
from enpass_consent.fleet.result import FleetResult, Operation, StackResult, Status
from enpass_consent.render import plain_value

# Sort order: what needs attention first.
_STATUS_RANK = {Status.FAILED: 0, Status.CHANGES: 1, Status.SKIPPED: 2, Status.OK: 3}
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}.meta{color:#57606a;margin:0 0 1rem}
.chips span{display:inline-block;margin:0 .5rem .5rem 0;padding:.2rem .6rem;border-radius:1rem;background:#eaeef2}
input{padding:.35rem .5rem;width:20rem;margin:.5rem 0 1rem;border:1px solid #d0d7de;border-radius:4px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.4rem .5rem;
text-align:left;vertical-align:top}th{cursor:pointer;user-select:none;background:#f6f8fa;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
.s-ok{color:#1a7f37}.s-changes{color:#9a6700}.s-failed{color:#cf222e;font-weight:600}.s-skipped{color:#57606a}
.sev{display:inline-block;min-width:4.5rem;font-size:.8rem;font-weight:600}.sev-critical,.sev-high{color:#cf222e}
.sev-medium{color:#9a6700}.sev-low,.sev-info{color:#57606a}ul{margin:0;padding-left:1rem}code{font-size:.85rem}
.err{color:#cf222e;white-space:pre-wrap;word-break:break-word}.change,.info{color:#57606a;font-size:.85rem;margin:0}
"""

_JS = """
(function(){
  var table=document.getElementById('fleet'),body=table.tBodies[0];
  function key(row,i){var c=row.cells[i];var k=c.getAttribute('data-sort');return k!==null?k:c.textContent.trim()}
  function cmp(a,b){var x=parseFloat(a),y=parseFloat(b);
    if(!isNaN(x)&&!isNaN(y)&&String(x)===a&&String(y)===b)return x-y;return a.localeCompare(b)}
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){
    th.addEventListener('click',function(){
      var asc=th.getAttribute('aria-sort')!=='ascending';
      Array.prototype.forEach.call(th.parentNode.cells,function(h){h.removeAttribute('aria-sort')});
      th.setAttribute('aria-sort',asc?'ascending':'descending');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var r=cmp(key(a,i),key(b,i));return asc?r:-r});
      rows.forEach(function(r){body.appendChild(r)});
    });
  });
  document.getElementById('filter').addEventListener('input',function(e){
    var q=e.target.value.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(r){
      r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none'});
  });
})();
"""


def _e(text: object) -> str:
    return html.escape(plain_value(text), quote=True)


def _finding_item(finding: Finding, change: LastChange | None = None) -> str:
    details = []
    if finding.object_id:
        details.append(f"object <code>{_e(finding.object_id)}</code>")
    if finding.expected is not None:
        details.append(f"expected <code>{_e(finding.expected)}</code>")
    if finding.actual is not None:
        details.append(f"actual <code>{_e(finding.actual)}</code>")
    extra = f" ({', '.join(details)})" if details else ""
    severity = _e(finding.severity.value)
    # Who changed it: tenant text (the actor's name), escaped like the message.
    changed = f'<div class="change">{_e(change.describe())}</div>' if change is not None else ""
    return (
        f'<li><span class="sev sev-{severity}">{severity}</span> <code>{_e(finding.code)}</code> '
        f"{_e(finding.message)}{extra}{changed}</li>"
    )


def _row(stack: StackResult, drift: bool) -> str:
    status = stack.status.value
    cells = [
        f"<td>{_e(stack.stack)}</td>",
        f'<td data-sort="{_STATUS_RANK[stack.status]}" class="s-{status}">{status}</td>',
        f'<td data-sort="{sum(stack.changes.values())}">{_e(format_changes(stack.changes))}</td>',
    ]
    if drift:
        worst = min((_SEVERITY_RANK.get(f.severity.value, 9) for f in stack.findings), default=9)
        ordered = sorted(range(len(stack.findings)), key=lambda i: _SEVERITY_RANK[stack.findings[i].severity])
        items = "".join(_finding_item(stack.findings[i], stack.last_change(i)) for i in ordered)
        findings = f"<ul>{items}</ul>" if items else "-"
        info = attribution_info(stack)
        if info:
            findings += f'<p class="info">{_e(info)}</p>'
        cells.append(f'<td data-sort="{worst}{999 - drift_findings(stack):03d}">{findings}</td>')
    cells.append(f'<td class="err">{_e(stack.error or "")}</td>')
    return "<tr>" + "".join(cells) + "</tr>"


def render_html(result: FleetResult, generated_at: datetime | None = None) -> str:
    """One HTML document, safe to open from an email or a CI artifact."""
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    drift = result.operation is Operation.DRIFT
    operation = _e(result.operation.value)
    summary = result.summary()
    chips = "".join(f"<span>{_e(name)}: {count}</span>" for name, count in summary.items())
    headers = ["Stack", "Status", "Changes"] + (["Findings"] if drift else []) + ["Error"]
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    rows = "\n".join(_row(stack, drift) for stack in result.stacks)
    if not result.stacks:
        rows = f'<tr><td colspan="{len(headers)}">No stacks in this run (an empty shard).</td></tr>'
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>enpass-consent fleet {operation}</title>
<style>{_CSS}</style>
</head>
<body>
<h1>enpass-consent fleet {operation}</h1>
<p class="meta">{_e(summary_line(result))} &middot; generated {_e(when)}</p>
<div class="chips">{chips}</div>
<input id="filter" type="search" placeholder="Filter stacks, errors, findings" aria-label="Filter">
<table id="fleet">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
<script>{_JS}</script>
</body>
</html>
"""
