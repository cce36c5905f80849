// GET /: a small page for the person on call — the fleet, its states and capacity, refreshed every 2 s.
import { Router } from 'express';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Arbiter fleet</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard.css">
</head>
<body>
<header><h1>Arbiter fleet</h1><p id="summary">loading…</p></header>
<table>
<thead><tr><th>name</th><th>state</th><th>address</th><th>free / max</th><th>sessions</th><th>reserved</th><th>age</th><th>last poll</th><th>failures</th><th>problem</th></tr></thead>
<tbody id="servers"></tbody>
</table>
<script src="/dashboard.js"></script>
</body>
</html>
`;

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem;margin:0}
table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd;white-space:nowrap}
.active{color:#16783a}.standby{color:#8a6d00}.pending{color:#2458b3}.unhealthy,.stopping{color:#b32424}
#summary{color:#555}`;

const SCRIPT = `'use strict';
function cell(text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
async function refresh() {
  try {
    const res = await fetch('/api/servers', { cache: 'no-store' });
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const data = await res.json();
    const s = data.summary;
    document.getElementById('summary').textContent =
      s.servers + ' servers, free capacity ' + s.free + (s.paused ? ' — scaling paused' : '') + ' — ' + new Date().toLocaleTimeString();
    const body = document.getElementById('servers');
    body.replaceChildren(...data.servers.map((v) => {
      const tr = document.createElement('tr');
      tr.append(cell(v.name), cell(v.state, v.state), cell(v.address || '—'),
        cell(v.capacity.effective + ' / ' + (v.capacity.max ?? '?')), cell(String(v.activeSessions)),
        cell(String(v.reservations)), cell(v.ageSeconds + ' s'), cell(v.lastPollAt ? new Date(v.lastPollAt).toLocaleTimeString() : '—'),
        cell(String(v.failures)), cell(v.lastError || v.stopReason || ''));
      return tr;
    }));
  } catch (err) {
    document.getElementById('summary').textContent = 'cannot reach the manager: ' + (err && err.message ? err.message : err);
  }
}
refresh();
setInterval(refresh, 2000);
`;

export function dashboardRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').send(SCRIPT);
  });
  router.get('/dashboard.css', (_req, res) => {
    res.type('text/css').send(STYLE);
  });
  return router;
}
