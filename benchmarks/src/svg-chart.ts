/** A tiny SVG chart writer (line charts and grouped bar charts), no dependencies. */

export interface Series {
  name: string
  points: [number, number][]
}

export interface LineChartOptions {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  logX?: boolean
  logY?: boolean
  /** Horizontal reference lines, e.g. a target. */
  guides?: { y: number; label: string }[]
}

export interface BarGroup {
  label: string
  bars: { name: string; value: number; note?: string }[]
}

export interface BarChartOptions {
  title: string
  yLabel: string
  groups: BarGroup[]
  logY?: boolean
}

const W = 720
const H = 400
const M = { top: 40, right: 200, bottom: 56, left: 72 }
const PW = W - M.left - M.right
const PH = H - M.top - M.bottom
export const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#7f7f7f', '#9467bd', '#ff7f0e']

const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function fmt(value: number): string {
  if (value === 0) return '0'
  const abs = Math.abs(value)
  if (abs >= 10_000) return `${Math.round(value / 1000)}k`
  if (abs >= 1000) return `${(value / 1000).toFixed(1).replace(/\.0$/, '')}k`
  if (abs >= 10) return String(Math.round(value))
  if (abs >= 1) return value.toFixed(1).replace(/\.0$/, '')
  return value.toPrecision(2)
}

interface Scale {
  map(v: number): number
  ticks: number[]
}

function scale(min: number, max: number, log: boolean, size: number, invert: boolean): Scale {
  if (log) {
    const lo = Math.floor(Math.log10(Math.max(min, 1e-9)))
    const hi = Math.ceil(Math.log10(Math.max(max, min * 10, 1e-9)))
    const span = Math.max(hi - lo, 1)
    const ticks: number[] = []
    for (let e = lo; e <= hi; e++) {
      ticks.push(10 ** e)
      if (hi - lo <= 3 && e < hi) ticks.push(2 * 10 ** e, 5 * 10 ** e)
    }
    const map = (v: number) => {
      const t = (Math.log10(Math.max(v, 10 ** lo)) - lo) / span
      return invert ? size - t * size : t * size
    }
    return { map, ticks }
  }
  const top = niceCeil(max <= min ? min + 1 : max)
  const bottom = Math.min(0, min)
  const step = niceCeil((top - bottom) / 5)
  const ticks: number[] = []
  for (let v = bottom; v <= top + step / 2; v += step) ticks.push(v)
  const last = ticks[ticks.length - 1] as number
  const map = (v: number) => {
    const t = (v - bottom) / (last - bottom)
    return invert ? size - t * size : t * size
  }
  return { map, ticks }
}

function niceCeil(value: number): number {
  if (value <= 0) return 1
  const e = 10 ** Math.floor(Math.log10(value))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= value) return m * e
  return 10 * e
}

function frame(title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2 - M.right / 2 + M.left / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>
${body}
</svg>
`
}

function axes(xs: Scale | null, ys: Scale, xLabel: string, yLabel: string): string {
  let out = `<g transform="translate(${M.left},${M.top})">`
  for (const t of ys.ticks) {
    const y = ys.map(t)
    out += `<line x1="0" x2="${PW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="-6" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`
  }
  if (xs !== null) {
    for (const t of xs.ticks) {
      const x = xs.map(t)
      out += `<line x1="${x}" x2="${x}" y1="0" y2="${PH}" stroke="#f0f0f0"/><text x="${x}" y="${PH + 16}" text-anchor="middle">${fmt(t)}</text>`
    }
  }
  out += `<line x1="0" x2="${PW}" y1="${PH}" y2="${PH}" stroke="#333"/><line x1="0" x2="0" y1="0" y2="${PH}" stroke="#333"/>`
  out += `<text x="${PW / 2}" y="${PH + 40}" text-anchor="middle">${esc(xLabel)}</text>`
  out += `<text transform="translate(-54,${PH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`
  return `${out}</g>`
}

function legend(names: string[]): string {
  let out = `<g transform="translate(${W - M.right + 16},${M.top})">`
  names.forEach((name, i) => {
    out += `<rect x="0" y="${i * 20}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="18" y="${i * 20 + 10}">${esc(name)}</text>`
  })
  return `${out}</g>`
}

export function lineChart(options: LineChartOptions): string {
  const points = options.series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  if (points.length === 0) return frame(options.title, '<text x="40" y="80">no data</text>')
  const xs = points.map(([x]) => x)
  const ysv = points.map(([, y]) => y).concat((options.guides ?? []).map((g) => g.y))
  const xScale = scale(Math.min(...xs), Math.max(...xs), options.logX ?? false, PW, false)
  const yScale = scale(Math.min(...ysv), Math.max(...ysv), options.logY ?? false, PH, true)
  let body = axes(xScale, yScale, options.xLabel, options.yLabel)
  body += `<g transform="translate(${M.left},${M.top})">`
  for (const guide of options.guides ?? []) {
    const y = yScale.map(guide.y)
    body += `<line x1="0" x2="${PW}" y1="${y}" y2="${y}" stroke="#000" stroke-dasharray="5,4"/><text x="${PW - 4}" y="${y - 4}" text-anchor="end">${esc(guide.label)}</text>`
  }
  options.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length]
    const pts = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    if (pts.length === 0) return
    const d = pts
      .map(
        ([x, y], j) =>
          `${j === 0 ? 'M' : 'L'}${xScale.map(x).toFixed(1)},${yScale.map(y).toFixed(1)}`,
      )
      .join(' ')
    body += `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`
    for (const [x, y] of pts)
      body += `<circle cx="${xScale.map(x).toFixed(1)}" cy="${yScale.map(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(series.name)}: ${fmt(x)} → ${fmt(y)}</title></circle>`
  })
  body += '</g>'
  body += legend(options.series.map((s) => s.name))
  return frame(options.title, body)
}

export function barChart(options: BarChartOptions): string {
  const names = [...new Set(options.groups.flatMap((g) => g.bars.map((b) => b.name)))]
  const values = options.groups
    .flatMap((g) => g.bars.map((b) => b.value))
    .filter((v) => Number.isFinite(v))
  if (values.length === 0) return frame(options.title, '<text x="40" y="80">no data</text>')
  const yScale = scale(
    options.logY ? Math.min(...values) : 0,
    Math.max(...values),
    options.logY ?? false,
    PH,
    true,
  )
  let body = axes(null, yScale, '', options.yLabel)
  body += `<g transform="translate(${M.left},${M.top})">`
  const groupWidth = PW / options.groups.length
  const barWidth = Math.min(48, (groupWidth * 0.8) / Math.max(names.length, 1))
  options.groups.forEach((group, g) => {
    const x0 = g * groupWidth + (groupWidth - barWidth * names.length) / 2
    body += `<text x="${g * groupWidth + groupWidth / 2}" y="${PH + 18}" text-anchor="middle">${esc(group.label)}</text>`
    for (const bar of group.bars) {
      const i = names.indexOf(bar.name)
      const x = x0 + i * barWidth
      const color = PALETTE[i % PALETTE.length]
      if (!Number.isFinite(bar.value)) {
        // Upright, in the empty bar's own column: neighbouring notes would overlap side by side.
        const cx = x + barWidth / 2
        body += `<text x="${cx}" y="${PH - 6}" transform="rotate(-90 ${cx} ${PH - 6})" dominant-baseline="middle" font-size="10" fill="#666">${esc(bar.note ?? 'n/a')}</text>`
        continue
      }
      const y = yScale.map(bar.value)
      body += `<rect x="${x + 2}" y="${y}" width="${barWidth - 4}" height="${Math.max(PH - y, 1)}" fill="${color}"><title>${esc(bar.name)}: ${fmt(bar.value)}</title></rect>`
      body += `<text x="${x + barWidth / 2}" y="${y - 4}" text-anchor="middle" font-size="10">${esc(bar.note ?? fmt(bar.value))}</text>`
    }
  })
  body += '</g>'
  body += legend(names)
  return frame(options.title, body)
}
