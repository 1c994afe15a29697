'use strict';
// The page keeps summaries only: topology, history summaries, snapshots in progress. A snapshot's states and
// messages are fetched when it is shown.
const HISTORY_ROWS = 200;
const EDGE_LABELS_UP_TO = 40;
const CROWDED_ABOVE = 20;
const COLORS = { up: '#2e7d32', restarted: '#ef6c00', down: '#c62828', left: '#9e9e9e', outside: '#607d8b' };

const page = {
  topology: { processes: [], channels: [] },
  summaries: new Map(),
  shown: null,        // detail of the snapshot drawn on the graph
  messagesOf: null,   // the snapshot whose channel messages are open, if any
  follow: true,       // draw each new snapshot as it is assembled
  maxDetails: 0,
  restores: [],       // newest last, as the control topic has them
  noticed: new Set(), // offsets of the malformed control records already announced
  group: '',
};

const graph = echarts.init(document.getElementById('graph'), null, { renderer: 'svg' });
const chart = echarts.init(document.getElementById('chart'), null, { renderer: 'svg' });
// the graph's nodes and channel labels are placed for its size (DashboardView.layoutGraph): placed anew on a resize
window.addEventListener('resize', () => { graph.resize(); chart.resize(); drawGraph(); });

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  });
  children.forEach(c => e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return e;
}

function fmtMs(ms) { return ms == null ? '–' : ms + ' ms'; }
function fmtBytes(b) { return b < 1024 ? b + ' B' : b < 1048576 ? (b / 1024).toFixed(1) + ' KiB' : (b / 1048576).toFixed(1) + ' MiB'; }
function short(text, n) { return text.length <= n ? text : text.slice(0, n - 1) + '…'; }

function stateText(p) {
  const entries = Object.entries(p.state).map(([k, v]) => k + '=' + (typeof v === 'string' ? v : JSON.stringify(v)));
  return short(entries.join(', '), 40) + (p.truncated ? ' (+' + (p.keys - entries.length) + ' keys)' : '');
}

// Channel topics of one run often share a prefix (a run id); arrows show the rest, the caption the prefix.
function commonPrefix(topics) {
  if (topics.length < 2) return '';
  let p = topics[0];
  topics.forEach(t => { while (!t.startsWith(p)) p = p.slice(0, -1); });
  // keep the last shared segment (bank.0.1, bank.0.2 stay readable as such): cut before it
  const last = p.lastIndexOf('.');
  const cut = last < 0 ? -1 : p.lastIndexOf('.', last - 1);
  return cut < 0 ? '' : p.slice(0, cut + 1);
}

// the width of a channel label as the graph draws it (ECharts' default sans-serif)
const labelCanvas = document.createElement('canvas').getContext('2d');
function labelWidth(text) {
  labelCanvas.font = DashboardView.EDGE_LABEL.fontSize + 'px sans-serif';
  return labelCanvas.measureText(text).width;
}

function drawGraph() {
  const t = page.topology;
  const shown = page.shown;
  // with many processes, labels carry the id only and the state is in the tooltip, or they cover each other
  const crowded = t.processes.length > CROWDED_ABOVE;
  const nodes = t.processes.map(p => {
    const st = shown && shown.processes[p.id];
    let extra = '';
    if (st) extra = stateText(st);
    else if (shown && shown.members.includes(p.id)) extra = '(no fragment)';
    // the epoch comes from the node's own status record: after a restore, it shows who runs in the new epoch
    const epoch = p.epoch == null ? '' : 'epoch ' + p.epoch;
    const left = p.state === 'left';
    const head = crowded ? p.id : DashboardView.processHead(p);
    const label = extra && !crowded ? head + '\n' + extra : head;
    // a departed process is drawn hollow and greyed: it no longer takes part, whatever its last status said
    return { id: p.id, name: p.id, value: p.state, symbolSize: crowded ? 14 : 28,
      tip: p.id + ' (' + (left ? 'left the group' : p.state) + (epoch && !left ? ', ' + epoch : '') + ')'
        + (extra ? ': ' + extra : ''),
      label: { show: true, formatter: label, color: left ? '#888' : undefined },
      itemStyle: left ? { color: '#fff', borderColor: COLORS.left, borderWidth: 2, borderType: 'dashed' }
        : { color: COLORS[p.state] || '#2e7d32' } };
  });
  const edges = [];
  const showLabels = t.channels.length <= EDGE_LABELS_UP_TO;
  const prefix = commonPrefix(t.channels.map(c => c.topic));
  const { ends, placeholders } = DashboardView.channelEnds(t.processes, t.channels);
  placeholders.forEach(p => nodes.push({ id: p.id, name: p.id, value: p.kind, symbol: 'roundRect', symbolSize: 12,
    tip: p.id + ': ' + p.tip, label: { show: true, formatter: p.label, color: '#555', fontStyle: 'italic' },
    itemStyle: { color: '#fff', borderColor: COLORS.outside, borderWidth: 2, borderType: 'dashed' } }));
  t.channels.forEach((c, i) => {
    const end = ends[i];
    const parts = [c.topic.slice(prefix.length)];
    if (end.departed) parts.push('departed');
    else parts.push('lag ' + (c.lag == null ? '?' : c.lag));
    if (c.rate != null) parts.push(c.rate + '/s');
    const sc = shown && shown.channels[c.topic];
    if (sc) parts.push('✉ ' + sc.count);
    edges.push({ source: end.source, target: end.target, topic: c.topic,
      label: { show: showLabels, formatter: parts.join(' · ') },
      lineStyle: { width: sc && sc.count > 0 ? 3 : 1.5, color: sc && sc.count > 0 ? '#1565c0' : '#888',
        type: end.departed || end.target === DashboardView.NO_RECEIVER ? 'dashed' : 'solid' } });
  });
  const size = { width: graph.getWidth(), height: graph.getHeight() };
  const { positions, box } = DashboardView.layoutGraph(nodes, edges, size, labelWidth);
  nodes.forEach(n => { [n.x, n.y] = positions[n.id]; });
  graph.setOption({
    // redrawn every few seconds with fresh lag: animating each redraw would only move things about
    animation: false,
    tooltip: { formatter: p => p.dataType === 'edge' ? p.data.label.formatter : (p.data.tip || p.name) },
    series: [{
      // placed by DashboardView.layoutGraph (on a circle, in this box), so that channel labels keep apart
      type: 'graph', layout: 'none', left: box.left, top: box.top, width: box.width, height: box.height, roam: true,
      edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 9,
      label: { position: 'bottom', distance: 6, verticalAlign: 'top', lineHeight: 15, fontSize: 12 },
      // a light backing keeps a label readable where it crosses another channel's line
      edgeLabel: { fontSize: DashboardView.EDGE_LABEL.fontSize, distance: DashboardView.EDGE_LABEL.distance,
        padding: DashboardView.EDGE_LABEL.padding, color: '#333', backgroundColor: 'rgba(255,255,255,0.85)',
        borderRadius: 2 },
      emphasis: { focus: 'adjacency', edgeLabel: { show: true } },
      data: nodes, links: edges,
    }],
  }, { replaceMerge: ['series'] });
  caption();
}

function caption() {
  const prefix = commonPrefix(page.topology.channels.map(c => c.topic));
  document.getElementById('graph-caption').textContent = (page.shown ? 'with snapshot ' + page.shown.summary.id : 'live')
    + (prefix ? ' · channels ' + prefix + '*' : '');
}

graph.on('click', p => {
  if (p.dataType === 'edge' && page.shown) showMessages(page.shown.summary.id, p.data.topic);
  if (p.dataType === 'node') {
    const row = document.querySelector('#detail tr.state[data-process="' + CSS.escape(p.name) + '"]');
    if (row) row.scrollIntoView({ block: 'nearest' });
  }
});

function drawChart() {
  const rows = [...page.summaries.values()];
  const x = rows.map(s => String(s.id));
  const lastFragment = rows.map(s => s.toLastFragmentMs);
  const assembled = rows.map(s => s.toAssembledMs);
  const inFlight = rows.map(s => s.inFlight);
  const kib = rows.map(s => +(s.bytes / 1024).toFixed(1));
  // both ms series share the left axis, both counts the right one: each axis is clipped over its own values
  const ms = DashboardView.clipScale(lastFragment.concat(assembled));
  const right = DashboardView.clipScale(inFlight.concat(kib));
  const marks = (scale, values, unit) => scale.max == null ? undefined : {
    symbol: 'triangle', symbolSize: 9, symbolOffset: [0, 0], itemStyle: { color: '#b00020' },
    label: { show: true, position: 'top', fontSize: 10, color: '#b00020', formatter: p => '↑ ' + p.data.real + unit },
    data: values.map((v, i) => ({ v, i })).filter(o => o.v != null && o.v > scale.max)
      .map(o => ({ coord: [x[o.i], scale.max], real: o.v, name: x[o.i] })),
  };
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    // containLabel and axis names along the axes: names and tick labels stay inside the chart at any width
    grid: { left: 50, right: 50, top: 36, bottom: 40, containLabel: true },
    xAxis: { type: 'category', data: x, name: 'snapshot', nameLocation: 'middle', nameGap: 26 },
    yAxis: [
      { type: 'value', name: 'ms', nameLocation: 'middle', nameGap: 48, max: ms.max == null ? null : ms.max },
      { type: 'value', name: 'in flight / KiB', nameLocation: 'middle', nameGap: 48, nameRotate: 270,
        max: right.max == null ? null : right.max },
    ],
    series: [
      { name: 'trigger → last fragment', type: 'line', data: lastFragment, showSymbol: false, clip: true,
        markPoint: marks(ms, lastFragment, ' ms') },
      { name: 'trigger → assembled+checked', type: 'line', data: assembled, showSymbol: false, clip: true,
        markPoint: marks(ms, assembled, ' ms') },
      { name: 'in flight', type: 'bar', yAxisIndex: 1, data: inFlight, clip: true, markPoint: marks(right, inFlight, '') },
      { name: 'fragments KiB', type: 'line', yAxisIndex: 1, data: kib, showSymbol: false, clip: true,
        markPoint: marks(right, kib, ' KiB') },
    ],
  }, { replaceMerge: ['series', 'yAxis'] });
  const outliers = ms.outliers.length + right.outliers.length;
  const note = document.getElementById('chart-note');
  note.setAttribute('data-outliers', outliers);
  note.textContent = outliers ? 'Scale clipped above 1.5 × the 95th percentile; ' + outliers
    + ' value(s) beyond it are marked ↑ with their true value (hover for all values).' : '';
}

function drawHistory() {
  const body = document.querySelector('#history tbody');
  const rows = [...page.summaries.values()].reverse().slice(0, HISTORY_ROWS);
  body.replaceChildren(...rows.map(s => {
    const tr = el('tr', { 'data-id': s.id, class: page.shown && page.shown.summary.id === s.id ? 'selected' : '' },
      el('td', {}, s.id), el('td', {}, s.status), el('td', {}, s.reason || ''), el('td', {}, s.members),
      el('td', {}, fmtMs(s.toLastFragmentMs)), el('td', {}, fmtMs(s.toAssembledMs)), el('td', {}, fmtBytes(s.bytes)),
      el('td', {}, s.inFlight), el('td', { class: s.ok ? 'ok' : 'bad' }, s.verdict));
    tr.addEventListener('click', () => { page.follow = false; showSnapshot(s.id); });
    return tr;
  }));
  document.getElementById('history-caption').textContent = page.summaries.size > HISTORY_ROWS
    ? 'newest ' + HISTORY_ROWS + ' of ' + page.summaries.size + ' shown' : page.summaries.size + ' snapshot(s)';
}

function drawProgress(list) {
  const body = document.querySelector('#progress tbody');
  if (!list.length) { body.replaceChildren(el('tr', {}, el('td', { colSpan: 5, class: 'hint' }, 'none'))); return; }
  body.replaceChildren(...list.map(p => el('tr', { 'data-id': p.id }, el('td', {}, p.id),
    el('td', {}, (p.ageMs / 1000).toFixed(1) + ' s'), el('td', {}, p.published.length + '/' + p.members.length),
    el('td', {}, p.missingMembers.join(', ')), el('td', {}, short(p.missingChannels.join(', '), 300)))));
}

// Each malformed control record is announced once, by offset: the list comes again with every topology update.
function drawNotices() {
  const bad = page.topology.malformedControl;
  if (!bad) return;
  const box = document.getElementById('notices');
  bad.records.forEach(r => {
    if (page.noticed.has(r.offset)) return;
    page.noticed.add(r.offset);
    box.append(el('li', { class: 'malformed', 'data-offset': r.offset }, 'Malformed control record at offset '
      + r.offset + ' (' + fmtTime(r.at) + ') skipped: ' + r.reason));
  });
  const older = bad.count - bad.records.length;
  let more = box.querySelector('li.more');
  if (older > 0) {
    if (!more) { more = el('li', { class: 'more' }); box.append(more); }
    more.textContent = older + ' more malformed control record(s) before these; see the collector\'s log';
  }
  box.hidden = !box.children.length;
}

function fmtTime(ms) { return new Date(ms).toISOString().slice(0, 19) + 'Z'; }

function drawRestores(list) {
  page.restores = list;
  const body = document.querySelector('#restores tbody');
  if (!list.length) body.replaceChildren(el('tr', {}, el('td', { colSpan: 7, class: 'hint' }, 'none')));
  else body.replaceChildren(...[...list].reverse().map(r => el('tr', { 'data-epoch': r.epoch, 'data-state': r.state },
    el('td', {}, r.epoch), el('td', {}, r.snapshot), el('td', {}, fmtTime(r.writtenAt)),
    el('td', { class: r.done ? 'ok' : '' }, r.restored.length + '/' + r.expected.length),
    el('td', {}, r.missing.join(', ')), el('td', {}, r.done ? fmtMs(r.durationMs) : '–'),
    el('td', { class: r.state === 'superseded' ? 'bad' : r.done ? 'ok' : '' },
      r.state + (r.supersededBy != null ? ' by ' + r.supersededBy : '') + (r.allowNewMembers ? ' (new members allowed)' : '')))));
  restoredByNote();
}

// under the snapshot shown: the restores that went back to it, kept current as members restore
function restoredByNote() {
  const note = document.getElementById('restored-by');
  if (!note || !page.shown) return;
  const id = page.shown.summary.id;
  const to = page.restores.filter(r => r.snapshot === id);
  note.textContent = to.length ? 'Restored to by ' + to.map(r => 'restore ' + r.epoch + ' (' + r.restored.length + '/'
    + r.expected.length + ' restored, ' + r.state + ')').join(', ') : '';
}

async function fetchJson(url, options) {
  const response = await fetch(url, options);
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

async function showSnapshot(id, followed) {
  const detail = document.getElementById('detail');
  document.getElementById('follow').hidden = page.follow;
  try {
    const d = await fetchJson('/api/snapshots/' + id);
    // the user may have picked a snapshot or opened messages while this one was fetched: theirs stays
    if (followed && !page.follow) return;
    page.shown = d;
    renderDetail(d);
  } catch (e) {
    page.shown = null;
    document.getElementById('detail-id').textContent = id;
    detail.replaceChildren(el('p', { class: 'bad' }, e.message));
  }
  // the messages open belong to the snapshot they were read from: cleared only when another snapshot is shown
  if (page.messagesOf !== id) { document.getElementById('messages').replaceChildren(); page.messagesOf = null; }
  drawGraph();
  drawHistory();
  caption();
}

function renderDetail(d) {
  const s = d.summary;
  document.getElementById('detail-id').textContent = s.id;
  const download = document.getElementById('download');
  download.href = '/api/snapshots/' + s.id + '/json';
  download.hidden = false;
  const restore = document.getElementById('restore');
  restore.hidden = false;
  restore.setAttribute('data-id', s.id);
  const states = el('table', { id: 'states' }, el('tr', {}, el('th', {}, 'process'), el('th', {}, 'state'), el('th', {}, 'size')));
  Object.entries(d.processes).forEach(([id, p]) => states.append(el('tr', { class: 'state', 'data-process': id },
    el('td', {}, id), el('td', { class: 'value' }, JSON.stringify(p.state) + (p.truncated ? ' … (' + p.keys + ' keys)' : '')),
    el('td', {}, p.keys + ' key(s), ' + fmtBytes(p.jsonChars)))));
  d.missingMembers.forEach(id => states.append(el('tr', { class: 'state missing', 'data-process': id },
    el('td', {}, id), el('td', { class: 'bad' }, 'no usable fragment'), el('td', {}, ''))));
  const channels = el('table', { id: 'channels' }, el('tr', {}, el('th', {}, 'channel'), el('th', {}, 'from → to'),
    el('th', {}, 'recorded'), el('th', {}, 'in flight')));
  Object.entries(d.channels).forEach(([topic, c]) => {
    const tr = el('tr', { class: 'channel', 'data-topic': topic, 'data-count': c.count }, el('td', {}, topic),
      el('td', {}, (c.from || '?') + ' → ' + c.to), el('td', {}, '[' + c.recordedFrom + ', ' + c.markerOffset + ')'),
      el('td', {}, c.count));
    tr.addEventListener('click', () => showMessages(s.id, topic));
    channels.append(tr);
  });
  const parts = [el('p', { id: 'restored-by' }), el('p', {}, el('b', {}, s.status), ' · ', s.members + ' member(s) · ', fmtMs(s.toLastFragmentMs),
    ' · ', s.inFlight + ' in flight · ', el('span', { class: s.ok ? 'ok' : 'bad' }, s.verdict),
    s.reason ? ' · reason: ' + s.reason : ''), states, timelineTable(d, s), el('h3', {}, 'Channels (click for the messages)'), channels];
  if (d.violations.length) parts.push(el('ul', { class: 'bad' }, ...d.violations.map(v => el('li', {}, v))));
  document.getElementById('detail').replaceChildren(...parts);
  restoredByNote();
}

// Each member's part of the snapshot, ms after the trigger record (view.js computes the bars).
function timelineTable(d, s) {
  const { scaleMs, rows } = DashboardView.timelineRows(d.processes, s.toLastFragmentMs);
  if (rows.length === 0) return el('p', { id: 'timeline', class: 'hint' }, 'no timeline in these fragments');
  const table = el('table', { id: 'timeline' }, el('tr', {}, el('th', {}, 'process'),
    el('th', {}, 'timeline, 0 – ' + scaleMs + ' ms after the trigger (last fragment at +' + s.toLastFragmentMs + ')')));
  rows.forEach(r => {
    const bar = el('div', { class: 'tl-bar', title: r.text });
    r.segments.forEach(g => bar.append(el('span', { class: 'tl-seg tl-' + g.phase.replace(' ', '-'),
      style: 'left:' + g.left + '%;width:' + g.width + '%', title: g.phase + ' +' + g.fromMs + ' → +' + g.toMs + ' ms' })));
    table.append(el('tr', { class: 'timeline', 'data-process': r.id }, el('td', {}, r.id),
      el('td', {}, bar, el('div', { class: 'tl-text' }, r.text))));
  });
  return table;
}

async function showMessages(id, topic) {
  const box = document.getElementById('messages');
  // reading a snapshot's messages is looking at that snapshot: a newer one must not replace it until "follow latest"
  page.follow = false;
  document.getElementById('follow').hidden = false;
  page.messagesOf = id;
  box.setAttribute('data-snapshot', id);
  box.setAttribute('data-topic', topic);
  try {
    const m = await fetchJson('/api/snapshots/' + id + '/channels/' + encodeURIComponent(topic));
    const list = el('ol', { id: 'message-list' }, ...m.messages.map(x => el('li', { class: 'message value' },
      'offset ' + x.offset + ': ' + JSON.stringify(x.value))));
    box.replaceChildren(el('h3', {}, 'In flight on ' + topic + ' in snapshot ' + id + ': ' + m.total + ' message(s)'
      + (m.total > m.messages.length ? ' (first ' + m.messages.length + ' shown)' : '')), list);
  } catch (e) {
    box.replaceChildren(el('p', { class: 'bad' }, e.message));
  }
}

function onSummary(s) {
  const isNew = !page.summaries.has(s.id);
  page.summaries.set(s.id, s);
  if (isNew && page.summaries.size > 1 && [...page.summaries.keys()].some(k => k > s.id)) {
    page.summaries = new Map([...page.summaries.entries()].sort((a, b) => a[0] - b[0]));
  }
  while (page.summaries.size > 1000) page.summaries.delete(page.summaries.keys().next().value);
  scheduleRedraw();
  if (isNew && page.follow) showSnapshot(s.id, true);
}

let redrawPending = false;
function scheduleRedraw() {
  // many summaries at once (a catch-up): one redraw per frame
  if (redrawPending) return;
  redrawPending = true;
  requestAnimationFrame(() => { redrawPending = false; drawChart(); drawHistory(); });
}

document.getElementById('trigger').addEventListener('click', async () => {
  const out = document.getElementById('trigger-result');
  try {
    const r = await fetchJson('/api/trigger', { method: 'POST' });
    out.textContent = 'snapshot ' + r.id + ' triggered';
    out.setAttribute('data-id', r.id);
  } catch (e) {
    out.textContent = 'trigger failed: ' + e.message;
  }
});
document.getElementById('restore').addEventListener('click', async () => {
  const id = Number(document.getElementById('restore').getAttribute('data-id'));
  const out = document.getElementById('restore-result');
  if (!confirm('Restore the whole system to snapshot ' + id + '?\n\nEvery member drops its current state and its '
    + 'unsent messages and goes back to its state in snapshot ' + id + '; the messages the snapshot recorded in flight '
    + 'are delivered again. Effects outside the system (databases, mail, calls) are not undone.')) return;
  out.removeAttribute('data-epoch');
  out.className = '';
  out.textContent = 'restoring to snapshot ' + id + '…';
  try {
    const r = await fetchJson('/api/snapshots/' + id + '/restore', { method: 'POST' });
    out.textContent = 'restore ' + r.epoch + ' to snapshot ' + id + ' written; ' + r.expected.length
      + ' member(s) to restore: see Restores';
    out.setAttribute('data-epoch', r.epoch);
  } catch (e) {
    out.className = 'bad';
    out.textContent = 'restore refused: ' + e.message;
  }
});
document.getElementById('follow').addEventListener('click', () => {
  page.follow = true;
  const ids = [...page.summaries.keys()];
  if (ids.length) showSnapshot(ids[ids.length - 1]); else document.getElementById('follow').hidden = true;
});

async function start() {
  const o = await fetchJson('/api/overview');
  document.getElementById('title').textContent = o.title;
  document.getElementById('topics').textContent = 'control ' + o.controlTopic + ' · fragments ' + o.collectionTopic
    + (o.statusTopic ? '' : ' · lag shown once the nodes publish their status');
  page.maxDetails = o.maxDetails;
  page.topology = o;
  page.group = o.title + ' (control topic ' + o.controlTopic + ')';
  drawNotices();
  o.snapshots.forEach(s => page.summaries.set(s.id, s));
  if (!o.snapshots.length) {
    document.getElementById('detail').replaceChildren(el('p', { class: 'hint', id: 'waiting' },
      'Waiting for the first snapshot of group ' + page.group + '. It appears here when the members have '
      + 'recorded it; "Trigger snapshot now" starts one.'));
  }
  drawGraph();
  drawChart();
  drawHistory();
  drawProgress(o.inProgress);
  drawRestores(o.restores);
  if (o.snapshots.length) showSnapshot(o.snapshots[o.snapshots.length - 1].id);
  const events = new EventSource('/events');
  const connection = document.getElementById('connection');
  events.onopen = () => { connection.textContent = 'live'; connection.className = 'up'; };
  events.onerror = () => { connection.textContent = 'disconnected, retrying…'; connection.className = 'down'; };
  events.addEventListener('topology', e => { page.topology = JSON.parse(e.data); drawGraph(); drawNotices(); });
  events.addEventListener('snapshot', e => onSummary(JSON.parse(e.data)));
  events.addEventListener('progress', e => drawProgress(JSON.parse(e.data)));
  events.addEventListener('restores', e => drawRestores(JSON.parse(e.data)));
}
start().catch(e => document.getElementById('detail').replaceChildren(el('p', { class: 'bad' }, 'cannot load: ' + e.message)));
