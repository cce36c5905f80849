// GET /: the page the person on call keeps open — the fleet with capacity bars and poll freshness,
// free capacity against the margins over the last hour, recent decisions and actions, and
// drain/undrain/stop buttons. No build step and no external assets, so the strict CSP holds.
import { Router } from 'express';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';

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
<header><h1>Arbiter fleet</h1><p id="summary">loading…</p>
<ul id="counters" aria-label="allocations in the last 5 minutes">
<li>served <strong id="served">0</strong></li><li>sent to backup <strong id="backup">0</strong></li><li>refused <strong id="refused">0</strong></li><li class="muted">last 5 min</li>
</ul>
<button type="button" id="read-token" hidden>enter read token</button><button type="button" id="forget">forget tokens</button></header>
<p id="notice" role="status"></p>
<main>
<section id="fleet"><h2>Servers</h2><div class="scroll"><table>
<thead><tr><th>name</th><th>state</th><th>address</th><th>sessions · reserved · free / max</th><th>age</th><th>last poll</th><th>failures</th><th>problem</th><th></th></tr></thead>
<tbody id="servers"></tbody>
</table></div></section>
<section id="capacity"><h2>Free capacity, last hour</h2>
<svg id="chart" viewBox="0 0 600 160" preserveAspectRatio="none" role="img" aria-label="free capacity against the margins"></svg>
<p id="chart-empty">no samples yet</p>
<p id="chart-caption" class="muted"></p>
<p class="legend"><span class="k freeline"></span>free <span class="k up"></span>upscale margin <span class="k down"></span>downscale margin</p>
</section>
<section id="log"><h2>Decisions and actions</h2><ul id="events"></ul></section>
</main>
<script src="/dashboard.js"></script>
</body>
</html>
`;

const STYLE = `body{font:14px system-ui,sans-serif;margin:1rem 1.5rem;color:#222}
h1{font-size:1.3rem;margin:0}h2{font-size:1rem;margin:1rem 0 .4rem}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem}
#summary,.muted{color:#555}
#counters{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
#counters .warn strong{color:#b32424}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:0 2rem}
#fleet{grid-column:1/-1}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd;white-space:nowrap}
td.problem{white-space:normal;max-width:24rem}
.active{color:#16783a}.standby{color:#8a6d00}.pending{color:#2458b3}.unhealthy,.stopping{color:#b32424}
.bar{display:inline-flex;width:8rem;height:.7rem;background:#eee;vertical-align:middle;margin-right:.4rem}
.bar .sessions{background:#2458b3}.bar .reserved{background:#8a6d00}.bar .free{background:#7fc79a}
.poll.stale{color:#b32424;font-weight:bold}
button{font:inherit;padding:.1rem .5rem;margin-right:.3rem}
button.stop{color:#b32424}
#notice.bad{color:#b32424}
svg{box-sizing:border-box;width:100%;height:160px;background:#fafafa;border:1px solid #ddd}
polyline{fill:none;stroke-width:2;vector-effect:non-scaling-stroke}
.freeline{stroke:#16783a}.up{stroke:#b32424;stroke-dasharray:4 3}.down{stroke:#2458b3;stroke-dasharray:4 3}
.legend .k{display:inline-block;width:1rem;height:0;border-top:2px solid;margin:0 .3rem 0 1rem;vertical-align:middle}
.legend .k.freeline{border-color:#16783a}.legend .k.up{border-color:#b32424}.legend .k.down{border-color:#2458b3}
#events{list-style:none;padding:0;margin:0}#events li{padding:.2rem 0;border-bottom:1px solid #eee}
#events time{color:#555;margin-right:.5rem}#events li.action b{color:#8a6d00}
@media (max-width:800px){body{margin:.5rem}main{display:block}th:nth-child(3),td:nth-child(3),th:nth-child(7),td:nth-child(7){display:none}}`;

export function dashboardRouter(): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/dashboard.js', (_req, res) => {
    res.type('application/javascript').send(DASHBOARD_SCRIPT);
  });
  router.get('/dashboard.css', (_req, res) => {
    res.type('text/css').send(STYLE);
  });
  return router;
}
