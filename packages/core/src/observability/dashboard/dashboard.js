// Kaskade's dashboard: polls /api/application (this instance and its peers), draws the topology laid out by dagre,
// charts throughput and lag with uPlot, lists instances with their tasks, and sends pause, resume and rewind to every
// replica (through the control topic).
/* global dagre, uPlot */
(() => {
  'use strict';
  const POLL_MS = 1000;
  const HISTORY_S = 300;
  const $ = (id) => document.getElementById(id);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const history = { t: [], throughput: new Map(), lag: new Map() };
  let lastTotals = new Map();
  let lastTime = 0;
  let topologyKey = '';
  const charts = { throughput: undefined, lag: undefined };

  function drawTopology(nodes) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 40, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const n of nodes) {
      const label = n.name + (n.stores.length ? ` [${n.stores.join(', ')}]` : '');
      g.setNode(n.name, { label, kind: n.kind, width: Math.max(120, label.length * 6.8 + 16), height: 28 });
    }
    for (const n of nodes) for (const c of n.children) g.setEdge(n.name, c);
    dagre.layout(g);
    const svg = $('topology');
    const { width, height } = g.graph();
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.style.height = `${Math.max(120, height)}px`;
    const parts = [
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#667"/></marker></defs>',
    ];
    for (const e of g.edges()) {
      const pts = g.edge(e).points;
      parts.push(`<path d="M${pts.map((p) => `${p.x},${p.y}`).join('L')}"/>`);
    }
    for (const id of g.nodes()) {
      const n = g.node(id);
      parts.push(
        `<g class="node" data-name="${esc(id)}"><rect class="${n.kind}" x="${n.x - n.width / 2}" y="${n.y - n.height / 2}" width="${n.width}" height="${n.height}" rx="4"/>` +
          `<text x="${n.x}" y="${n.y + 4}" text-anchor="middle">${esc(n.label)}</text></g>`,
      );
    }
    svg.innerHTML = parts.join('');
  }

  function chart(kind, el, seriesNames, data) {
    const existing = charts[kind];
    const names = seriesNames.join('|');
    if (existing && existing.names === names) {
      existing.plot.setData(data);
      return;
    }
    existing?.plot.destroy();
    el.innerHTML = '';
    const palette = ['#3a6bc7', '#2e8b57', '#c7723a', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#d4ac0d'];
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth - 8),
        height: 200,
        series: [{}, ...seriesNames.map((label, i) => ({ label, stroke: palette[i % palette.length], width: 1.5 }))],
        axes: [{}, { size: 60 }],
        legend: { show: true },
      },
      data,
      el,
    );
    charts[kind] = { plot, names };
  }

  function seriesData(map) {
    const names = [...map.keys()].sort();
    return { names, data: [history.t, ...names.map((n) => map.get(n))] };
  }

  function record(instances, nowS) {
    history.t.push(nowS);
    const seen = new Set();
    const dt = lastTime ? nowS - lastTime : 0;
    let total = 0;
    for (const inst of instances) {
      if (!inst.status) continue;
      const id = inst.status.instanceId;
      const processed = inst.status.totals.processed;
      const prev = lastTotals.get(id);
      const rate = dt > 0 && prev !== undefined ? Math.max(0, (processed - prev) / dt) : 0;
      lastTotals.set(id, processed);
      total += rate;
      push(history.throughput, `instance ${id}`, rate);
      seen.add(`instance ${id}`);
      for (const task of inst.status.tasks) {
        for (const p of task.partitions) {
          const key = `${p.topic}-${p.partition}`;
          push(history.lag, key, p.lag);
          seen.add(key);
        }
      }
    }
    for (const map of [history.throughput, history.lag]) {
      for (const [k, arr] of map) if (!seen.has(k)) arr.push(null);
    }
    while (history.t.length && history.t[0] < nowS - HISTORY_S) {
      history.t.shift();
      for (const map of [history.throughput, history.lag]) for (const arr of map.values()) arr.shift();
    }
    lastTime = nowS;
    $('throughput-total').textContent = String(Math.round(total));
  }

  function push(map, key, value) {
    let arr = map.get(key);
    if (!arr) map.set(key, (arr = history.t.slice(0, -1).map(() => null)));
    arr.push(value);
  }

  function renderInstances(instances) {
    const html = instances.map((inst) => {
      if (!inst.status) {
        return `<div class="instance unreachable"><h3>${esc(inst.url)}</h3>unreachable: ${esc(inst.error)}</div>`;
      }
      const s = inst.status;
      const rows = s.tasks
        .map((t) =>
          t.partitions
            .map(
              (p) =>
                `<tr class="task" data-task="${esc(t.id)}"><td>${esc(t.id)}</td><td>${esc(p.topic)}-${p.partition}</td><td>${p.position}</td><td>${p.endOffset}</td><td>${p.lag ?? '?'}</td><td>${t.processed}</td></tr>`,
            )
            .join(''),
        )
        .join('');
      return (
        `<div class="instance" data-instance="${esc(s.instanceId)}"><h3>${esc(s.instanceId)} · <span class="state-${s.state}">${s.state}</span>` +
        `${s.paused ? ' · <b class="paused">PAUSED</b>' : ''} <small class="muted">${esc(inst.url)}</small></h3>` +
        `<table><tr><th>task</th><th>partition</th><th>position</th><th>end</th><th>lag</th><th>processed</th></tr>${rows}</table></div>`
      );
    });
    $('instances').innerHTML = html.join('');
  }

  function renderRestoration(instances) {
    const rows = [];
    for (const inst of instances) {
      for (const r of inst.status?.restoration ?? []) {
        const total = r.endOffset - r.startOffset;
        const pct = total > 0 ? Math.min(100, (100 * r.restored) / total) : 100;
        rows.push(
          `<tr><td>${esc(inst.status.instanceId)}</td><td>${esc(r.store)}</td><td>${esc(r.topic)}-${r.partition}</td>` +
            `<td style="width:40%"><div class="bar"><div style="width:${pct.toFixed(1)}%"></div></div></td>` +
            `<td>${pct.toFixed(0)}%</td><td>${Math.round(r.recordsPerSecond)}/s</td></tr>`,
        );
      }
    }
    $('restoration').innerHTML = rows.length
      ? `<table><tr><th>instance</th><th>store</th><th>changelog</th><th>progress</th><th></th><th>rate</th></tr>${rows.join('')}</table>`
      : '<p class="muted">none</p>';
  }

  async function poll() {
    try {
      const res = await fetch('/api/application', { cache: 'no-store' });
      const app = await res.json();
      const instances = app.instances;
      const first = instances.find((i) => i.status)?.status;
      if (first) {
        $('app-id').textContent = first.applicationId;
        const key = first.topology.description;
        if (key !== topologyKey) {
          topologyKey = key;
          drawTopology(first.topology.nodes);
        }
      }
      record(instances, Date.now() / 1000);
      const tp = seriesData(history.throughput);
      chart('throughput', $('throughput-chart'), tp.names, tp.data);
      const lag = seriesData(history.lag);
      chart('lag', $('lag-chart'), lag.names, lag.data);
      renderInstances(instances);
      renderRestoration(instances);
    } catch (e) {
      $('control-result').textContent = `status unavailable: ${e.message}`;
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  for (const id of ['pause-all', 'resume-all', 'rewind-all']) {
    $(id).addEventListener('click', async (ev) => {
      const action = ev.currentTarget.dataset.action;
      // Application-wide: the server writes the command to the control topic, which every replica reads.
      const from = $('rewind-from').value.trim();
      const command =
        action === 'rewind'
          ? { action, state: $('rewind-state').value, ...(from ? { toDatetime: from } : { toEarliest: true }) }
          : { action, all: true };
      $('control-result').textContent = `${action}: …`;
      delete $('control-result').dataset.status;
      const res = await fetch('/api/control', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${$('token').value}` },
        body: JSON.stringify(command),
      });
      const body = await res.json().catch(() => ({}));
      $('control-result').textContent = res.ok ? `${action}: done` : `${action}: ${res.status} ${body.error ?? ''}`;
      $('control-result').dataset.status = String(res.status);
    });
  }
  poll();
})();
