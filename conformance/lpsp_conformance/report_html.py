"""matrix.html: one self-contained page over the matrix model of report.py.

The page embeds its data as JSON and builds everything with its own script:
the counts per implementation, the groups (area -> message type -> check
family, vector rows rendered only when their family is open), a verdict
filter, an id search and a detail panel. Its state lives in the URL fragment:
``#v=fail,non-strict`` (verdicts shown), ``in=<impl>`` (the verdicts of one
implementation only), ``q=<text>`` (id search) and ``id=<vector id>`` (the
detail panel).

Data layout (kept small: 25k vectors and more). The data blocks are JSON,
gzip-compressed and base64-encoded, read with the browser's own
``DecompressionStream``. In the main block, per group, each vector is
``[shared, rest, cells, notes?]`` where the id is the first ``shared``
characters of the previous id in the group plus ``rest``, ``cells`` has one
letter per implementation (p pass, n non-strict, i implementation-defined,
u unsupported, f fail, - not run) and ``notes`` maps an implementation index
to its outcome (o), error class (c, not for a pass) and expected failure (x).
The details (input, expected, answers) of the vectors not simply passed are
in one block per area, unpacked the first time a detail of that area opens.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
from typing import Any, Dict, List

from . import PASS
from .report_model import CODE, TYPE_LABELS, suite_versions

CSS = r"""
:root{--pass:#2e8b46;--pass-bg:#d8f1dc;--ns:#b58900;--ns-bg:#fbefb8;--id:#2f6db5;--id-bg:#d8e6fa;
 --un:#8a8a8a;--un-bg:#e6e6e6;--fail:#c62828;--fail-bg:#f8c6c6;--line:#d5d8dc;--muted:#666}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d1f21;background:#fff}
main{padding:12px 20px 40px}
body.with-detail main{margin-right:min(44vw,660px)}
h1{font-size:20px;margin:4px 0 2px}
p.meta{margin:0 0 10px;color:var(--muted)}
table{border-collapse:collapse}
#counts th,#counts td{border:1px solid var(--line);padding:3px 10px;text-align:right}
#counts th:first-child,#counts td:first-child{text-align:left}
#counts th{background:#f4f5f6;font-weight:600}
#counts td.z{color:#aaa}
.warn{color:var(--fail);font-weight:600}
#controls{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line);
 padding:8px 0;margin:10px 0 6px;display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center}
#controls fieldset{border:0;padding:0;margin:0;display:flex;gap:4px;align-items:center}
#controls legend{float:left;margin-right:6px;font-weight:600}
.vf{display:inline-flex;align-items:center;gap:3px;padding:1px 8px 1px 4px;border-radius:12px;cursor:pointer;
 border:1px solid var(--line);user-select:none}
.vf input{margin:0}
#search{width:22em;padding:3px 6px;font:inherit}
button{font:inherit;cursor:pointer}
#status{color:var(--muted)}
#status b{color:#1d1f21}
#matrix{width:100%;margin-top:4px;table-layout:fixed}
#matrix th.n{width:5em}#matrix th.impl{width:13em}
body.with-detail #matrix th.impl{width:8.5em}body.with-detail #matrix .bar{display:none}
#matrix td.name{overflow-wrap:anywhere}
#matrix th{position:sticky;top:var(--ctl-h,46px);background:#f4f5f6;border-bottom:1px solid var(--line);
 text-align:left;padding:4px 8px;font-weight:600;z-index:1}
#matrix td{padding:2px 8px;border-bottom:1px solid #eef0f2;vertical-align:middle}
#matrix td.n{text-align:right;color:var(--muted);width:4.5em}
tr.grp{cursor:pointer}
tr.grp:hover,tr.vec:hover{background:#f6f8fa}
tr.l0 td{background:#eef2f6;font-weight:600;border-top:1px solid var(--line)}
tr.l0:hover td{background:#e4eaf0}
tr.l1 td.name{padding-left:26px}
tr.l2 td.name{padding-left:48px}
tr.vec td.name{padding-left:72px}
tr.fold td.name{padding-left:26px;font-style:italic;color:var(--muted)}
tr.more td{padding-left:72px;color:var(--muted)}
.tog{display:inline-block;width:1.1em;color:var(--muted)}
tr.vec{cursor:pointer}
tr.vec.sel td{background:#fff7d6}
tr.vec code{font-size:12.5px}
td.cell,td.sum{white-space:nowrap;font-size:12.5px}
td.cell.pass{background:var(--pass-bg)}td.cell.non-strict{background:var(--ns-bg)}
td.cell.implementation-defined{background:var(--id-bg)}td.cell.unsupported{background:var(--un-bg);color:#555}
td.cell.fail{background:var(--fail-bg);font-weight:700;color:#8b1111}td.cell.xfail{background:#f7dcc8;color:#7a3d10}
td.cell.none{color:#aaa}
.bar{display:inline-flex;width:64px;height:9px;border-radius:2px;overflow:hidden;vertical-align:middle;
 background:#f1f1f1;margin-right:6px}
.bar i{display:block;height:100%}
.bar i.pass,.sw.pass{background:var(--pass)}.bar i.non-strict,.sw.non-strict{background:#e0b520}
.bar i.implementation-defined,.sw.implementation-defined{background:#5b8fd6}
.bar i.unsupported,.sw.unsupported{background:#b9b9b9}.bar i.fail,.sw.fail{background:var(--fail)}
.chip{display:inline-block;font-size:11.5px;padding:0 4px;border-radius:8px;margin-right:3px}
.chip.pass{background:var(--pass-bg)}.chip.non-strict{background:var(--ns-bg)}
.chip.implementation-defined{background:var(--id-bg)}.chip.unsupported{background:var(--un-bg)}
.chip.fail{background:var(--fail-bg);font-weight:700}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px}
#detail{position:fixed;top:0;right:0;bottom:0;width:min(44vw,660px);overflow:auto;background:#fcfcfd;
 border-left:1px solid var(--line);box-shadow:-4px 0 12px rgba(0,0,0,.06);padding:12px 16px 30px;z-index:3}
#detail h2{font-size:15px;margin:2px 0 8px;word-break:break-all;padding-right:2em}
#detail h3{font-size:13px;margin:14px 0 4px;text-transform:uppercase;letter-spacing:.04em;color:#444}
#detail dl{display:grid;grid-template-columns:max-content 1fr;gap:1px 12px;margin:0}
#detail dt{color:var(--muted)}#detail dd{margin:0;word-break:break-word}
#detail pre{background:#f3f4f6;border:1px solid #e3e5e8;padding:6px 8px;margin:2px 0;font-size:12px;
 white-space:pre-wrap;word-break:break-all;max-height:22em;overflow:auto}
#detail .close{position:absolute;top:8px;right:10px;border:0;background:none;font-size:20px;line-height:1}
#detail .answer{border:1px solid var(--line);border-left-width:5px;border-radius:3px;padding:4px 8px;
 margin:6px 0;background:#fff}
#detail .answer.pass{border-left-color:var(--pass)}#detail .answer.non-strict{border-left-color:#e0b520}
#detail .answer.implementation-defined{border-left-color:#5b8fd6}
#detail .answer.unsupported{border-left-color:#b9b9b9}#detail .answer.fail{border-left-color:var(--fail)}
#detail .answer h4{margin:0 0 2px;font-size:13.5px}
#detail .note{color:var(--muted);font-style:italic}
#detail ul{margin:2px 0;padding-left:18px;font-size:12.5px}
"""

JS = r"""
(async function(){
'use strict';
async function inflate(id){
  // a block of gzip-compressed JSON, base64-encoded
  const text = document.getElementById(id).textContent.trim();
  const bin = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const stream = new Blob([bin]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text());
}
let D;
try { D = await inflate('data'); }
catch (e) {
  document.getElementById('status').textContent = 'This browser cannot read the embedded data (' + e + ').';
  document.body.dataset.error = String(e);
  return;
}
const V = D.verdicts;
const tl = (t) => (D.type_labels && D.type_labels[t]) || t;
const CODES = {p:'pass', n:'non-strict', i:'implementation-defined', u:'unsupported', f:'fail'};
const SHORT = {'pass':'pass', 'non-strict':'non-strict', 'implementation-defined':'impl-def',
               'unsupported':'unsupported', 'fail':'FAIL'};
const AUTO_OPEN = 400;      // a filter matching at most this many vectors opens every group
const PAGE = 200;           // vector rows per family group before a "more" row
const BUDGET = 1500;        // vector rows per rendering (layout time), groups asked for in full aside
const NI = D.impls.length;
const $ = (s) => document.querySelector(s);
function el(tag, cls, text){ const e = document.createElement(tag); if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text); return e; }

// -- decode the vectors --------------------------------------------------------------
const rows = [], byId = new Map();
D.groups.forEach((g, gi) => {
  let prev = '';
  g.rows = g.r.map((r) => {
    const id = prev.slice(0, r[0]) + r[1]; prev = id;
    const cells = [];
    for (let k = 0; k < NI; k++) { const ch = r[2].charAt(k); cells.push(ch === '-' ? null : CODES[ch]); }
    const row = {id: id, lid: id.toLowerCase(), g: gi, cells: cells, notes: r[3] || {}};
    rows.push(row); byId.set(id, row); return row;
  });
  delete g.r;
});
const totals = D.impls.map((_, k) => { const c = {}; V.forEach((v) => { c[v] = 0; });
  rows.forEach((r) => { if (r.cells[k]) c[r.cells[k]] += 1; }); return c; });

// -- state (mirrored in the URL fragment) ---------------------------------------------------
const state = {verdicts: new Set(V), impl: -1, q: '', open: new Set(), detail: null, more: {}};
D.areas.forEach((_, ai) => state.open.add('a' + ai));
let renders = 0;

function readHash(){
  const h = new URLSearchParams(location.hash.replace(/^#/, ''));
  const v = h.get('v');
  state.verdicts = new Set(v === null ? V : v.split(',').filter((x) => V.includes(x)));
  const im = h.get('in');
  state.impl = im === null ? -1 : D.impls.findIndex((i) => i.name === im);
  state.q = (h.get('q') || '').trim();
  state.detail = h.get('id') || null;
}
function writeHash(){
  const h = new URLSearchParams();
  if (state.verdicts.size !== V.length) h.set('v', V.filter((v) => state.verdicts.has(v)).join(','));
  if (state.impl >= 0) h.set('in', D.impls[state.impl].name);
  if (state.q) h.set('q', state.q);
  if (state.detail) h.set('id', state.detail);
  const s = h.toString();
  history.replaceState(null, '', s ? '#' + s : location.pathname + location.search);
}

// -- the counts at the top ------------------------------------------------------------
function renderCounts(){
  const t = $('#counts'); t.textContent = '';
  const hr = el('tr'); hr.appendChild(el('th', null, 'implementation'));
  V.forEach((v) => { const th = el('th'); const sw = el('span', 'sw ' + v); th.appendChild(sw);
    th.appendChild(document.createTextNode(' ' + v)); hr.appendChild(th); });
  hr.appendChild(el('th', null, 'total')); t.appendChild(hr);
  D.impls.forEach((im, k) => {
    const tr = el('tr');
    const td = el('td'); td.appendChild(el('b', null, im.name));
    td.title = [im.file, im.started && 'started ' + im.started, im.duration_s != null && im.duration_s + ' s',
                Array.isArray(im.features) && 'declared: ' + im.features.join(', ')].filter(Boolean).join('\n');
    const sub = [im.adapter, im.version].filter(Boolean).join(' ');
    if (sub) td.appendChild(document.createTextNode(' (' + sub + ')'));
    if (im.harness_error) { td.appendChild(el('div', 'warn', 'harness error: ' + im.harness_error)); }
    tr.appendChild(td);
    let total = 0;
    V.forEach((v) => {
      const n = totals[k][v]; total += n;
      const c = el('td', n ? null : 'z', n); c.id = 'count-' + k + '-' + v;
      c.dataset.impl = im.name; c.dataset.verdict = v; tr.appendChild(c);
    });
    const tt = el('td', null, total); tt.id = 'count-' + k + '-total'; tt.dataset.impl = im.name;
    tt.dataset.verdict = 'total'; tr.appendChild(tt);
    const dc = im.declared_counts;
    if (dc && V.some((v) => (dc[v] || 0) !== totals[k][v])) {
      tr.appendChild(el('td', 'warn', 'the file declares other counts: ' + V.map((v) => v + ' ' + (dc[v] || 0)).join(', ')));
    }
    t.appendChild(tr);
  });
}

// -- the grouped matrix -------------------------------------------------------------------
function matches(r){
  if (state.q && !r.lid.includes(state.q.toLowerCase())) return false;
  if (state.impl >= 0) { const v = r.cells[state.impl]; return v !== null && state.verdicts.has(v); }
  for (let k = 0; k < NI; k++) { const v = r.cells[k]; if (v !== null && state.verdicts.has(v)) return true; }
  return false;
}
function filtering(){ return state.verdicts.size !== V.length || !!state.q || state.impl >= 0; }

function countsOf(list){
  const out = D.impls.map(() => { const c = {}; V.forEach((v) => { c[v] = 0; }); return c; });
  list.forEach((r) => r.cells.forEach((v, k) => { if (v) out[k][v] += 1; }));
  return out;
}
function summaryCell(c){
  const td = el('td', 'sum');
  const total = V.reduce((s, v) => s + c[v], 0);
  if (!total) { td.appendChild(el('span', 'note', '—')); return td; }
  const bar = el('span', 'bar'); bar.title = V.filter((v) => c[v]).map((v) => c[v] + ' ' + v).join(', ');
  V.forEach((v) => { if (c[v]) { const i = el('i', v); i.style.width = (100 * c[v] / total) + '%'; bar.appendChild(i); } });
  td.appendChild(bar);
  V.forEach((v) => { if (c[v]) { const s = el('span', 'chip ' + v, c[v]); s.title = c[v] + ' ' + v; td.appendChild(s); } });
  return td;
}
function groupRow(key, level, label, list, extraCls){
  const tr = el('tr', 'grp l' + level + (extraCls ? ' ' + extraCls : ''));
  tr.dataset.key = key; tr.tabIndex = 0;
  const open = state.open.has(key);
  tr.setAttribute('aria-expanded', open ? 'true' : 'false');
  const name = el('td', 'name'); name.appendChild(el('span', 'tog', open ? '▾' : '▸'));
  name.appendChild(document.createTextNode(label)); tr.appendChild(name);
  tr.appendChild(el('td', 'n', list.length));
  countsOf(list).forEach((c) => tr.appendChild(summaryCell(c)));
  return tr;
}
function cellLabel(v, note){
  if (!v) return '—';
  let t = SHORT[v];
  if (note && note.o) t += ' (' + note.o + ')';
  else if (note && note.c && v !== 'pass') t += ' (' + note.c + ')';
  if (v === 'fail' && note && note.x) t = 'fail (expected)';
  return t;
}
function vectorRow(r){
  const tr = el('tr', 'vec' + (state.detail === r.id ? ' sel' : ''));
  tr.dataset.id = r.id; tr.tabIndex = 0;
  const name = el('td', 'name'); name.appendChild(el('code', null, r.id)); tr.appendChild(name);
  tr.appendChild(el('td', 'n'));
  r.cells.forEach((v, k) => {
    const note = r.notes[k];
    const cls = !v ? 'none' : (v === 'fail' && note && note.x ? 'xfail' : v);
    const td = el('td', 'cell ' + cls, cellLabel(v, note)); td.dataset.verdict = v || 'none'; tr.appendChild(td);
  });
  return tr;
}
let budget = BUDGET;
function vectorRows(tb, g, gi, list){
  const asked = state.more[gi];
  const n = Math.min(list.length, asked || Math.min(PAGE, Math.max(budget, 0)));
  list.slice(0, n).forEach((r) => tb.appendChild(vectorRow(r)));
  if (!asked) budget -= n;
  if (list.length > n) {
    const tr = el('tr', 'more'); tr.dataset.more = String(gi); tr.dataset.shown = String(n);
    const td = el('td', null, (list.length - n) + ' more vector' + (list.length - n === 1 ? '' : 's') +
                  ' in this group: click to show ' + (list.length - n > PAGE * 5 ? PAGE * 5 + ' more' : 'them'));
    td.colSpan = 2 + NI; tr.appendChild(td); tb.appendChild(tr);
  }
}

function render(filterChanged){
  const matched = [];
  const per = D.groups.map(() => []);
  rows.forEach((r) => { if (matches(r)) { matched.push(r); per[r.g].push(r); } });
  if (filterChanged && filtering() && matched.length <= AUTO_OPEN) {
    D.groups.forEach((g, gi) => { if (per[gi].length) openPath(g, gi); });
  }
  const tb = document.createDocumentFragment();
  budget = BUDGET;
  D.areas.forEach((area, ai) => {
    const gis = []; D.groups.forEach((g, gi) => { if (g.a === ai && per[gi].length) gis.push(gi); });
    if (!gis.length) return;
    const all = [].concat(...gis.map((gi) => per[gi]));
    tb.appendChild(groupRow('a' + ai, 0, area, all));
    if (!state.open.has('a' + ai)) return;
    const shown = gis.filter((gi) => !D.groups[gi].u), folded = gis.filter((gi) => D.groups[gi].u);
    const types = [];
    shown.forEach((gi) => { if (!types.includes(D.groups[gi].t)) types.push(D.groups[gi].t); });
    types.forEach((t) => {
      const tg = shown.filter((gi) => D.groups[gi].t === t);
      const tkey = 't' + ai + ':' + t;
      tb.appendChild(groupRow(tkey, 1, tl(t), [].concat(...tg.map((gi) => per[gi]))));
      if (!state.open.has(tkey)) return;
      tg.forEach((gi) => {
        tb.appendChild(groupRow('f' + gi, 2, D.groups[gi].f, per[gi]));
        if (state.open.has('f' + gi)) vectorRows(tb, D.groups[gi], gi, per[gi]);
      });
    });
    if (folded.length) {
      const ukey = 'u' + ai;
      const list = [].concat(...folded.map((gi) => per[gi]));
      tb.appendChild(groupRow(ukey, 1, 'unsupported by every implementation: ' + folded.length + ' group' +
                              (folded.length === 1 ? '' : 's'), list, 'fold'));
      if (state.open.has(ukey)) {
        folded.forEach((gi) => {
          tb.appendChild(groupRow('f' + gi, 2, tl(D.groups[gi].t) + ' / ' + D.groups[gi].f, per[gi]));
          if (state.open.has('f' + gi)) vectorRows(tb, D.groups[gi], gi, per[gi]);
        });
      }
    }
  });
  if (!matched.length) {
    const tr = el('tr'); const td = el('td', 'note', 'No vector matches the filter.'); td.colSpan = 2 + NI;
    tr.appendChild(td); tb.appendChild(tr);
  }
  const body = $('#matrix tbody'); body.textContent = ''; body.appendChild(tb);
  $('#shown').textContent = String(matched.length);
  renders += 1;
  document.body.dataset.rendered = String(renders);
  document.body.dataset.shown = String(matched.length);
}
function openPath(g, gi){
  state.open.add('a' + g.a); state.open.add(g.u ? 'u' + g.a : 't' + g.a + ':' + g.t); state.open.add('f' + gi);
}

// -- the detail panel ---------------------------------------------------------------------
const detailCache = {};
async function detailsOf(ai){
  if (!(ai in detailCache)) {
    detailCache[ai] = document.getElementById('details-' + ai) ? inflate('details-' + ai) : Promise.resolve({});
  }
  return detailCache[ai];
}
function pre(value){ return el('pre', null, typeof value === 'string' ? value : JSON.stringify(value, null, 2)); }
async function renderDetail(){
  const aside = $('#detail');
  delete aside.dataset.ready;
  document.querySelectorAll('tr.vec.sel').forEach((t) => t.classList.remove('sel'));
  if (!state.detail) { aside.hidden = true; document.body.classList.remove('with-detail'); return; }
  aside.hidden = false; document.body.classList.add('with-detail');
  const body = $('#detail-body'); body.textContent = '';
  aside.dataset.id = state.detail;
  const r = byId.get(state.detail);
  body.appendChild(el('h2', null, state.detail));
  if (!r) { body.appendChild(el('p', 'note', 'No vector with this id in the results.'));
    aside.dataset.ready = state.detail; return; }
  document.querySelectorAll('tr.vec').forEach((t) => { if (t.dataset.id === r.id) t.classList.add('sel'); });
  const g = D.groups[r.g], area = D.areas[g.a];
  const want = state.detail;
  let all;
  try { all = await detailsOf(g.a); } catch (e) { all = {}; }
  if (state.detail !== want) return;  // another vector was opened meanwhile
  const det = all[r.id] || null;
  const dl = el('dl');
  const add = (k, v) => { if (v === undefined || v === null || v === '') return; dl.appendChild(el('dt', null, k));
    dl.appendChild(el('dd', null, v)); };
  add('area', area); add('message type', tl(g.t)); add('family', g.f);
  if (det) { add('operation', det.op); add('scope', det.sc); add('vector verdict', det.vv);
    add('description', det.desc); add('refs', (det.refs || []).join(', ')); }
  body.appendChild(dl);
  body.appendChild(el('h3', null, 'Input'));
  if (det && 'in' in det) body.appendChild(pre(det.in));
  else body.appendChild(el('p', 'note', 'Not embedded: no implementation has anything but a plain pass ' +
                         'or an undeclared capability here. The vector is in the vectors directory, ' + area + '.json.'));
  body.appendChild(el('h3', null, 'Expected'));
  if (det && 'ex' in det) body.appendChild(pre(det.ex));
  else body.appendChild(el('p', 'note', 'As in the vector file (every answer given matched it).'));
  body.appendChild(el('h3', null, 'Answers'));
  D.impls.forEach((im, k) => {
    const v = r.cells[k], note = r.notes[k] || {};
    const a = det && det.a ? det.a[im.name] : null;
    const sec = el('section', 'answer ' + (v || 'none')); sec.dataset.impl = im.name;
    sec.appendChild(el('h4', null, im.name + ': ' + cellLabel(v, note)));
    if (!v) { sec.appendChild(el('div', 'note', 'not run')); body.appendChild(sec); return; }
    const bits = [];
    if (a && a.s) bits.push('status ' + a.s);
    if (a && a.t !== undefined) bits.push(a.t + ' ms');
    if ((a && a.o) || note.o) bits.push('outcome ' + ((a && a.o) || note.o));
    if ((a && a.c) || note.c) bits.push('error class ' + ((a && a.c) || note.c));
    if (bits.length) sec.appendChild(el('div', null, bits.join(' · ')));
    if (a && a.x) sec.appendChild(el('div', null, 'expected failure: ' + a.x));
    if (a && a.r) sec.appendChild(el('div', null, a.r));
    if (a && a.mm) sec.appendChild(el('div', null, 'first difference: ' +
      Object.keys(a.mm).map((k2) => k2 + ' ' + JSON.stringify(a.mm[k2])).join(', ')));
    if (a && a.diffs && a.diffs.length) { const ul = el('ul');
      a.diffs.forEach((d) => ul.appendChild(el('li', null, d))); sec.appendChild(ul); }
    if (a && 'act' in a) { sec.appendChild(el('div', null, 'answer:')); sec.appendChild(pre(a.act)); }
    else if (v === 'pass') sec.appendChild(el('div', 'note', 'the answer matched the expected output'));
    else if (v === 'unsupported') sec.appendChild(el('div', 'note', 'not among the capabilities the adapter declared'));
    body.appendChild(sec);
  });
  aside.dataset.ready = r.id;
}
function openDetail(id){ state.detail = id; renderDetail(); writeHash(); }

// -- controls --------------------------------------------------------------------------
function setupControls(){
  const fs = $('#verdict-filter');
  V.forEach((v) => {
    const lab = el('label', 'vf'); const cb = el('input'); cb.type = 'checkbox'; cb.id = 'f-' + v; cb.value = v;
    cb.checked = state.verdicts.has(v);
    cb.addEventListener('change', () => { if (cb.checked) state.verdicts.add(v); else state.verdicts.delete(v);
      writeHash(); render(true); });
    lab.appendChild(cb); lab.appendChild(el('span', 'sw ' + v)); lab.appendChild(document.createTextNode(v));
    fs.appendChild(lab);
  });
  const sel = $('#impl-scope');
  D.impls.forEach((im, k) => { const o = el('option', null, im.name); o.value = String(k); sel.appendChild(o); });
  sel.value = String(state.impl);
  sel.addEventListener('change', () => { state.impl = Number(sel.value); writeHash(); render(true); });
  const search = $('#search'); search.value = state.q;
  let timer = null;
  search.addEventListener('input', () => {
    document.body.dataset.pending = '1';
    clearTimeout(timer);
    timer = setTimeout(() => { state.q = search.value.trim(); delete document.body.dataset.pending;
      writeHash(); render(true); }, 120);
  });
  $('#reset').addEventListener('click', () => {
    state.verdicts = new Set(V); state.impl = -1; state.q = ''; search.value = ''; sel.value = '-1';
    V.forEach((v) => { $('#f-' + v).checked = true; }); writeHash(); render(true);
  });
  $('#expand').addEventListener('click', () => {
    D.groups.forEach((g, gi) => { if (g.rows.some(matches)) openPath(g, gi); }); render(false);
  });
  $('#collapse').addEventListener('click', () => {
    state.open = new Set(D.areas.map((_, ai) => 'a' + ai)); render(false);
  });
  const tb = $('#matrix tbody');
  tb.addEventListener('click', (e) => {
    const tr = e.target.closest('tr'); if (!tr) return;
    if (tr.classList.contains('grp')) {
      const k = tr.dataset.key; if (state.open.has(k)) state.open.delete(k); else state.open.add(k); render(false);
    } else if (tr.classList.contains('vec')) { openDetail(tr.dataset.id); }
    else if (tr.dataset.more) { const gi = Number(tr.dataset.more); state.more[gi] = Number(tr.dataset.shown) + PAGE * 5; render(false); }
  });
  tb.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    const tr = e.target.closest('tr.vec, tr.grp'); if (!tr) return;
    e.preventDefault();
    if (tr.classList.contains('vec')) { openDetail(tr.dataset.id); return; }
    const k = tr.dataset.key; if (state.open.has(k)) state.open.delete(k); else state.open.add(k); render(false);
    const again = [...document.querySelectorAll('#matrix tr.grp')].find((t) => t.dataset.key === k);
    if (again) again.focus();
  });
  $('#detail .close').addEventListener('click', () => openDetail(null));
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.detail) openDetail(null); });
  window.addEventListener('hashchange', () => { readHash(); syncControls(); render(true); renderDetail(); });
  const ctl = $('#controls');
  const setH = () => document.documentElement.style.setProperty('--ctl-h', ctl.offsetHeight + 'px');
  window.addEventListener('resize', setH); setH();
}
function syncControls(){
  V.forEach((v) => { $('#f-' + v).checked = state.verdicts.has(v); });
  $('#impl-scope').value = String(state.impl); $('#search').value = state.q;
}

readHash();
renderCounts();
setupControls();
render(filtering());
renderDetail();
})();
"""


def _packed(value: Any) -> str:
    """JSON, gzip-compressed (reproducibly: no timestamp), base64: the
    page's data blocks. The vectors' data repeats a lot: 1.5 MB of JSON for
    25k vectors packs into about 50 kB."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, 9, mtime=0)).decode("ascii")


def _wrapped(text: str, width: int = 120) -> str:
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))


def _shared(a: str, b: str) -> int:
    n = min(len(a), len(b), 99)
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def page_data(model: Dict[str, Any]) -> Dict[str, Any]:
    names = [i["name"] for i in model["impls"]]
    areas = model["areas"]
    groups: List[Dict[str, Any]] = []
    for g in model["groups"]:
        prev = ""
        rows = []
        for row in g["rows"]:
            k = _shared(prev, row["id"])
            cells = "".join(CODE[row["cells"][n]["v"]] if n in row["cells"] else "-" for n in names)
            notes: Dict[str, Any] = {}
            for idx, n in enumerate(names):
                c = row["cells"].get(n)
                if not c:
                    continue
                # the error class of a pass is the expected one: in the detail only
                note = {k2: c[k2] for k2 in ("o", "c") if c.get(k2) is not None and (k2 == "o" or c["v"] != PASS)}
                if c.get("x"):
                    note["x"] = 1
                if note:
                    notes[str(idx)] = note
            rows.append([k, row["id"][k:], cells, notes] if notes else [k, row["id"][k:], cells])
            prev = row["id"]
        item: Dict[str, Any] = {"a": areas.index(g["area"]), "t": g["type"], "f": g["family"], "r": rows}
        if g["unsupported_everywhere"]:
            item["u"] = 1
        groups.append(item)
    impls = [{k: i.get(k) for k in ("name", "adapter", "version", "suite_version", "harness_error",
                                    "declared_counts", "started", "duration_s", "features", "file")}
             for i in model["impls"]]
    return {"impls": impls, "verdicts": model["verdicts"], "areas": areas, "families": model["families"],
            "type_labels": TYPE_LABELS, "groups": groups}


def page(model: Dict[str, Any]) -> str:
    data = page_data(model)
    details: Dict[int, Dict[str, Any]] = {}
    for row in model["rows"]:
        d = row.get("detail")
        if d is not None:
            details.setdefault(model["areas"].index(row["area"]), {})[row["id"]] = d
    blocks = "\n".join(f'<script type="application/gzip+base64" id="details-{ai}">\n{_wrapped(_packed(d))}\n</script>'
                       for ai, d in sorted(details.items()))
    sv = suite_versions(model)
    impls = ", ".join(html.escape(i["name"] + (f" ({i['adapter'] or '?'} {i['version'] or ''})".rstrip()
                                                if i.get("adapter") or i.get("version") else ""))
                      for i in model["impls"])
    notes = "".join(f'<p class="warn">{html.escape(n)}</p>' for n in model.get("notes") or ())
    n = len(model["rows"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lonelypsp conformance matrix</title>
<style>{CSS}</style></head>
<body>
<main>
<h1>lonelypsp conformance matrix</h1>
<p class="meta">{len(model['impls'])} implementation{'s' if len(model['impls']) != 1 else ''}: {impls}.
 {n} vectors{html.escape(f" (suite {', '.join(sv)})") if sv else ''}, grouped by area, message type and check family.
 Click a group to open it, a vector for its input, expected output and answers.</p>
{notes}
<table id="counts"></table>
<div id="controls">
 <fieldset id="verdict-filter"><legend>Verdicts</legend></fieldset>
 <label>in <select id="impl-scope"><option value="-1">any implementation</option></select></label>
 <input id="search" type="search" placeholder="search vector ids…" aria-label="search vector ids" autocomplete="off">
 <button id="reset" type="button">reset</button>
 <button id="expand" type="button">expand all</button>
 <button id="collapse" type="button">collapse</button>
 <span id="status"><b id="shown">…</b> of {n} vectors match</span>
</div>
<table id="matrix">
<thead><tr><th>area / message type / family / vector</th><th class="n">vectors</th>{''.join(
        f'<th class="impl">{html.escape(i["name"])}</th>' for i in model['impls'])}</tr></thead>
<tbody></tbody>
</table>
<noscript><p>This page builds its tables with JavaScript; matrix.md has the same counts.</p></noscript>
</main>
<aside id="detail" hidden><button class="close" type="button" aria-label="close">×</button><div id="detail-body"></div></aside>
<script type="application/gzip+base64" id="data">
{_wrapped(_packed(data))}
</script>
{blocks}
<script>{JS}</script>
</body></html>
"""
