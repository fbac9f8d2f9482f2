// Live metrics: a Node process (writer.js) appends one sample per second to the room's
// `samples` list; this page draws them. Nothing here knows about sockets or events: it
// subscribes to a list. The room is kept in IndexedDB, so offline (or with the relay down) the
// page still opens with the last data it saw.
import { createClient } from '@accord/client'
import './style.css'

// The app shell works offline too (see ../offline-shell.js); the data is in IndexedDB.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => {})
}

const relayUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
const room = createClient({ url: relayUrl }).room('dashboard/metrics')
const samples = room.list('samples')
const source = room.map('source')

const SVG = 'http://www.w3.org/2000/svg'
const $ = (selector) => document.querySelector(selector)
const svg = (tag, attributes = {}) => {
  const node = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value))
  return node
}
const every = (ms) =>
  ms === 1000 ? 'second' : ms % 1000 === 0 ? `${ms / 1000} seconds` : `${ms} ms`
const time = (t) => new Date(t).toLocaleTimeString([], { hour12: false })

const STATS = [
  { key: 'cpu', label: 'CPU', unit: '%', digits: 0 },
  { key: 'memory', label: 'Memory', unit: '%', digits: 0 },
  { key: 'lagMs', label: 'Event loop lag', unit: 'ms', digits: 1 },
  { key: 'connections', label: 'Relay connections', unit: '', digits: 0 },
]

// ---------------------------------------------------------------------------------------------
// Stat cards with sparklines.

const cards = new Map()
for (const stat of STATS) {
  const card = document.createElement('article')
  card.className = `stat ${stat.key}`
  card.innerHTML = `<div class="stat-label"></div><div class="stat-value">–</div>`
  card.querySelector('.stat-label').textContent = stat.label
  const spark = svg('svg', { class: 'spark', viewBox: '0 0 100 28', preserveAspectRatio: 'none' })
  const area = svg('path', { class: 'spark-area' })
  const line = svg('path', { class: 'spark-line', 'vector-effect': 'non-scaling-stroke' })
  spark.append(area, line)
  card.append(spark)
  $('#stats').append(card)
  cards.set(stat.key, { card, area, line, value: card.querySelector('.stat-value') })
}

function renderStats(list) {
  const last = list.at(-1)
  for (const stat of STATS) {
    const { value, area, line, card } = cards.get(stat.key)
    const values = list.map((sample) => sample[stat.key]).filter(Number.isFinite)
    card.hidden = values.length === 0 && list.length > 0
    const current = last?.[stat.key]
    value.textContent = Number.isFinite(current)
      ? `${current.toFixed(stat.digits)}${stat.unit}`
      : '–'
    if (values.length < 2) {
      line.setAttribute('d', '')
      area.setAttribute('d', '')
      continue
    }
    const max = Math.max(...values, stat.unit === '%' ? 100 : 1e-9)
    const points = values.map((v, i) => [(i / (values.length - 1)) * 100, 27 - (v / max) * 25])
    const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(2)},${y.toFixed(2)}`).join('')
    line.setAttribute('d', d)
    area.setAttribute('d', `${d}L100,28L0,28Z`)
  }
}

// ---------------------------------------------------------------------------------------------
// The main chart: CPU and memory over the last two minutes, in plain SVG.

const chart = $('#chart')
const WINDOW_MS = 120_000

function renderChart(list) {
  const width = Math.max(320, chart.clientWidth)
  const height = 280
  const pad = { top: 12, right: 16, bottom: 28, left: 44 }
  const plotW = width - pad.left - pad.right
  const plotH = height - pad.top - pad.bottom
  // The last two minutes, or less while there is less data (at least ten seconds).
  const end = list.at(-1)?.t ?? Date.now()
  const span = Math.min(WINDOW_MS, Math.max(10_000, end - (list[0]?.t ?? end)))
  const start = end - span
  const x = (t) => pad.left + ((t - start) / span) * plotW
  const y = (v) => pad.top + (1 - Math.min(100, Math.max(0, v)) / 100) * plotH

  const root = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'CPU and memory usage, last two minutes',
    'data-samples': list.length,
    'data-last': end,
  })
  for (const v of [0, 25, 50, 75, 100]) {
    root.append(
      svg('line', { class: 'grid', x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }),
    )
    const label = svg('text', { class: 'axis', x: pad.left - 8, y: y(v) + 4, 'text-anchor': 'end' })
    label.textContent = `${v}%`
    root.append(label)
  }
  for (let tick = 0; tick <= 4; tick++) {
    const label = svg('text', {
      class: 'axis',
      x: x(start + (span * tick) / 4),
      y: height - 8,
      'text-anchor': tick === 0 ? 'start' : tick === 4 ? 'end' : 'middle',
    })
    label.textContent = tick === 4 ? time(end) : `-${Math.round((span * (4 - tick)) / 4000)}s`
    root.append(label)
  }
  const visible = list.filter((sample) => sample.t >= start)
  for (const key of ['memory', 'cpu']) {
    const points = visible.map((sample) => `${x(sample.t).toFixed(1)},${y(sample[key]).toFixed(1)}`)
    if (points.length === 0) continue
    const line = `M${points.join('L')}`
    const first = x(visible[0].t).toFixed(1)
    const last = x(visible.at(-1).t).toFixed(1)
    root.append(
      svg('path', {
        class: `area ${key}`,
        d: `${line}L${last},${y(0)}L${first},${y(0)}Z`,
      }),
      svg('path', { class: `line ${key}`, d: line, 'data-series': key }),
    )
    const tip = visible.at(-1)
    root.append(svg('circle', { class: `dot ${key}`, cx: last, cy: y(tip[key]), r: 4 }))
  }
  if (list.length === 0) {
    const empty = svg('text', {
      class: 'empty',
      x: width / 2,
      y: height / 2,
      'text-anchor': 'middle',
    })
    empty.textContent = 'No data yet: is the writer running?'
    root.append(empty)
  }
  chart.replaceChildren(root)
}

// ---------------------------------------------------------------------------------------------
// Status: live, or offline with the time of the last data we have.

function renderStatus() {
  const badge = $('#status')
  const last = samples.get().at(-1)
  const stale = last !== undefined && Date.now() - last.t > 5_000
  const live = room.status === 'connected'
  badge.dataset.status = live ? (stale ? 'stale' : 'connected') : room.status
  badge.textContent = live
    ? stale
      ? `Connected — no new data since ${time(last.t)}`
      : 'Live'
    : room.status === 'connecting'
      ? 'Connecting…'
      : last
        ? `Offline — showing data up to ${time(last.t)}`
        : 'Offline'
  document.body.classList.toggle('offline', !live)

  const info = source.get()
  $('#source').textContent = info.hostname
    ? `${info.hostname} · Node ${info.node} · ${info.cpus} CPUs`
    : 'Waiting for the writer…'
  const list = samples.get()
  $('#footer').textContent = list.length
    ? `${list.length} samples, one every ${every(info.intervalMs ?? 1000)}, ` +
      `written by a Node process into the room “${room.name}”.`
    : ''
}

let frame = 0
function render() {
  if (frame) return
  frame = requestAnimationFrame(() => {
    frame = 0
    const list = samples.get()
    renderStats(list)
    renderChart(list)
    renderStatus()
  })
}

samples.subscribe(render)
source.subscribe(render)
room.on('status', render)
new ResizeObserver(render).observe(chart)
setInterval(renderStatus, 1000) // "no new data since" must appear even when nothing changes
render()
