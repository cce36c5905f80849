// The dashboard's browser script, served as /dashboard.js. Plain ES2020 with no build step; it only
// ever sets textContent and attributes (never HTML), because names and reasons come from gameservers.
export const DASHBOARD_SCRIPT = `'use strict';
const STALE_MS = 10000;
const TOKEN_KEY = 'arbiter-admin-token';
const READ_KEY = 'arbiter-read-token';
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
function ago(ms) { const s = Math.max(0, Math.round(ms / 1000)); return s < 120 ? s + ' s ago' : Math.round(s / 60) + ' min ago'; }
function age(s) { return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : Math.round(s / 3600) + ' h'; }
function clock(t) { return new Date(t).toLocaleTimeString(); }
function note(text, bad) { const n = $('notice'); n.textContent = text; n.className = bad ? 'bad' : ''; }

function token() {
  let t = sessionStorage.getItem(TOKEN_KEY);
  if (!t) {
    t = window.prompt('Admin token (kept in this tab only)');
    if (!t) return null;
    sessionStorage.setItem(TOKEN_KEY, t.trim());
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

async function act(kind, server) {
  if (kind === 'stop' && !window.confirm('Stop ' + server.name + ' now? Players on it are disconnected.')) return;
  const t = token();
  if (!t) return;
  const id = encodeURIComponent(server.id);
  const path = kind === 'stop' ? '/api/servers/' + id : '/api/servers/' + id + '/' + kind;
  try {
    const res = await fetch(path, { method: kind === 'stop' ? 'DELETE' : 'POST', headers: { authorization: 'Bearer ' + t } });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401 || res.status === 403) sessionStorage.removeItem(TOKEN_KEY);
    note(res.ok ? kind + ' ' + server.name + ': done' : kind + ' ' + server.name + ' refused: ' + (body.error || 'HTTP ' + res.status), !res.ok);
  } catch (err) {
    note(kind + ' ' + server.name + ' failed: ' + err.message, true);
  }
  refresh();
}

function capacityBar(v) {
  const max = v.capacity.max ?? Math.max(1, v.activeSessions + v.reservations + v.capacity.effective);
  const wrap = el('div', undefined, 'bar');
  for (const [n, cls, label] of [[v.activeSessions, 'sessions', 'sessions'], [v.reservations, 'reserved', 'reserved'], [v.capacity.effective, 'free', 'free']]) {
    const part = el('span', undefined, cls);
    part.style.width = (100 * n / max) + '%';
    part.title = n + ' ' + label;
    wrap.append(part);
  }
  const text = el('span', v.activeSessions + ' · ' + v.reservations + ' · ' + v.capacity.effective + ' / ' + (v.capacity.max ?? '?'), 'bartext');
  const td = el('td');
  td.append(wrap, text);
  return td;
}

function serverRow(v, now) {
  const tr = el('tr');
  tr.dataset.id = v.id;
  const poll = el('td', v.lastPollAt ? ago(now - Date.parse(v.lastPollAt)) : 'never', 'poll');
  if (!v.lastPollAt || now - Date.parse(v.lastPollAt) > STALE_MS) poll.classList.add('stale');
  const actions = el('td', undefined, 'actions');
  const buttons = v.state === 'standby' ? ['undrain', 'stop'] : v.state === 'stopping' ? [] : ['drain', 'stop'];
  for (const kind of buttons) {
    const b = el('button', kind, kind);
    b.type = 'button';
    b.addEventListener('click', () => act(kind, v));
    actions.append(b);
  }
  tr.append(el('td', v.name, 'name'), el('td', v.state, 'state ' + v.state), el('td', v.address || '—'), capacityBar(v),
    el('td', age(v.ageSeconds)), poll, el('td', String(v.failures)), el('td', v.lastError || v.stopReason || v.nameNote || '', 'problem'), actions);
  return tr;
}

function line(points, cls) {
  const p = document.createElementNS(SVG, 'polyline');
  p.setAttribute('points', points.map((x) => x.join(',')).join(' '));
  p.setAttribute('class', cls);
  return p;
}

function chart(samples) {
  const svg = $('chart');
  const W = 600, H = 160;
  svg.replaceChildren();
  $('chart-empty').hidden = samples.length > 0;
  if (samples.length === 0) return;
  const t0 = samples[0].at, t1 = Math.max(samples[samples.length - 1].at, t0 + 1);
  const top = Math.max(1, ...samples.map((s) => Math.max(s.free, s.upscaleMargin, s.downscaleMargin))) * 1.15;
  const x = (t) => Math.round(((t - t0) / (t1 - t0)) * W * 10) / 10;
  const y = (v) => Math.round((H - (v / top) * H) * 10) / 10;
  svg.append(line(samples.map((s) => [x(s.at), y(s.downscaleMargin)]), 'down'), line(samples.map((s) => [x(s.at), y(s.upscaleMargin)]), 'up'));
  const free = line(samples.map((s) => [x(s.at), y(s.free)]), 'freeline');
  free.id = 'free-line';
  svg.append(free);
  const last = samples[samples.length - 1];
  $('chart-caption').textContent = 'free ' + last.free + ' (upscale margin ' + last.upscaleMargin + ', downscale margin ' + last.downscaleMargin + '), ' + samples.length + ' samples since ' + clock(t0);
}

function events(list, names) {
  const ul = $('events');
  ul.replaceChildren(...list.slice(0, 20).map((e) => {
    const li = el('li', undefined, e.source);
    li.append(el('time', clock(e.at)), el('b', (e.source === 'action' ? 'operator ' : '') + e.kind), el('span', e.serverId ? ' ' + (names.get(e.serverId) || e.serverId) : '', 'server'), el('span', ' — ' + e.reason, 'reason'));
    return li;
  }));
  if (list.length === 0) ul.append(el('li', 'no decisions or actions yet', 'empty'));
}

// Reads take ARBITER_READ_TOKEN or the admin token once the manager guards them. The token is asked for once (a
// refusal or a cancelled prompt is not asked again every refresh: the button asks again) and kept in this tab only.
let readDeclined = false;
class NeedsTokenError extends Error {}
function readToken() { return sessionStorage.getItem(READ_KEY) || sessionStorage.getItem(TOKEN_KEY); }
function askReadToken() {
  if (readDeclined) return false;
  const t = window.prompt('Read token (ARBITER_READ_TOKEN, or the admin token; kept in this tab only)');
  if (!t || !t.trim()) { readDeclined = true; return false; }
  sessionStorage.setItem(READ_KEY, t.trim());
  return true;
}
async function getJson(path) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const t = readToken();
    const res = await fetch(path, { cache: 'no-store', headers: t ? { authorization: 'Bearer ' + t } : {} });
    if (res.status === 401 || res.status === 403) {
      sessionStorage.removeItem(READ_KEY);
      if (attempt === 0 && askReadToken()) continue;
      throw new NeedsTokenError('the manager wants a read token (ARBITER_READ_TOKEN or the admin token)');
    }
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }
  throw new NeedsTokenError('the manager wants a read token (ARBITER_READ_TOKEN or the admin token)');
}
// Two parallel reads would each prompt; the first read asks, the second follows with what it stored.
async function getBoth() {
  const data = await getJson('/api/servers');
  return [data, await getJson('/api/history')];
}

async function refresh() {
  try {
    const [data, history] = await getBoth();
    $('read-token').hidden = true;
    const now = Date.now();
    const s = data.summary;
    $('summary').textContent = s.servers + ' servers, free capacity ' + s.free + (s.paused ? ' — scaling paused' : '') + ' — ' + new Date().toLocaleTimeString();
    $('servers').replaceChildren(...data.servers.map((v) => serverRow(v, now)));
    const a = history.allocations;
    $('served').textContent = String(a.served);
    $('backup').textContent = String(a.backup);
    $('refused').textContent = String(a.refused);
    $('backup').parentElement.classList.toggle('warn', a.backup > 0);
    $('refused').parentElement.classList.toggle('warn', a.refused > 0);
    chart(history.samples);
    events(history.events, new Map(data.servers.map((v) => [v.id, v.name])));
  } catch (err) {
    if (err instanceof NeedsTokenError) $('read-token').hidden = false;
    $('summary').textContent = (err instanceof NeedsTokenError ? '' : 'cannot reach the manager: ') + (err && err.message ? err.message : err);
  }
}
$('forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); sessionStorage.removeItem(READ_KEY); note('tokens forgotten'); });
$('read-token').addEventListener('click', () => { readDeclined = false; sessionStorage.removeItem(READ_KEY); refresh(); });
refresh();
setInterval(refresh, 2000);
`;
