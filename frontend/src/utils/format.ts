// Display formatting: rates (exact fractions rounded half-up only here) and dates per locale.
import type { Metric } from '@/api/types'

/**
 * percentHalfUp rounds numerator/denominator as a percentage with `digits` decimals, half-up,
 * in integer arithmetic so 71/182 gives "39.0" (one decimal) and "39" (whole).
 * Returns null when the denominator is 0.
 */
export function percentHalfUp(numerator: number, denominator: number, digits = 1): string | null {
  if (!denominator) return null
  const scale = 10 ** digits
  const n = Math.round(numerator)
  const d = Math.round(denominator)
  const neg = n * d < 0
  const an = Math.abs(n)
  const ad = Math.abs(d)
  // floor((2*n*100*scale + d) / (2*d)) == round-half-up(n*100*scale/d) for non-negative values.
  const q = Math.floor((2 * an * 100 * scale + ad) / (2 * ad))
  const intPart = Math.floor(q / scale)
  const frac = q % scale
  const body = digits > 0 ? `${intPart}.${String(frac).padStart(digits, '0')}` : String(intPart)
  return neg && q !== 0 ? `-${body}` : body
}

/** formatRate shows a metric as "39.0%" (or "—" when the rate is undefined). */
export function formatRate(m: Pick<Metric, 'numerator' | 'denominator' | 'rate'> | null | undefined, digits = 1): string {
  if (!m) return '—'
  if (m.denominator) {
    const p = percentHalfUp(m.numerator, m.denominator, digits)
    return p === null ? '—' : `${p}%`
  }
  if (m.rate === null || m.rate === undefined) return '—'
  // Only a rate is known: round half-up with a small epsilon against binary noise.
  const scale = 10 ** digits
  const v = Math.floor(m.rate * 100 * scale + 0.5 + 1e-9) / scale
  return `${v.toFixed(digits)}%`
}

/** rateValue is the percentage as a number (for charts), or null. */
export function rateValue(m: Pick<Metric, 'numerator' | 'denominator' | 'rate'> | null | undefined): number | null {
  if (!m) return null
  if (m.denominator) return Number(percentHalfUp(m.numerator, m.denominator, 1))
  return m.rate === null || m.rate === undefined ? null : Math.round(m.rate * 1000) / 10
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** parseYMD reads the date part of "YYYY-MM-DD" or an RFC 3339 timestamp, without time zones. */
export function parseYMD(s: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s)
  if (!m) return null
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

/** formatDate shows a calendar date: "2022年3月5日" in zh-CN, "Mar 5, 2022" in English. */
export function formatDate(s: string | null | undefined, locale: string): string {
  if (!s) return '—'
  const p = parseYMD(s)
  if (!p) return s
  const [y, m, d] = p
  if (locale.startsWith('zh')) return `${y}年${m}月${d}日`
  return `${EN_MONTHS[m - 1]} ${d}, ${y}`
}

/** formatDateTime shows a timestamp in local time: "2022年3月5日 14:07" / "Mar 5, 2022 14:07". */
export function formatDateTime(s: string | null | undefined, locale: string): string {
  if (!s) return '—'
  const t = new Date(s)
  if (Number.isNaN(t.getTime())) return s
  const ymd = `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`
  const hm = `${String(t.getHours()).padStart(2, '0')}:${String(t.getMinutes()).padStart(2, '0')}`
  return `${formatDate(ymd, locale)} ${hm}`
}

/** isoDate formats a Date as YYYY-MM-DD in local time. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** formatNumber groups thousands per locale. */
export function formatNumber(n: number | null | undefined, locale: string): string {
  if (n === null || n === undefined) return '—'
  return new Intl.NumberFormat(locale).format(n)
}
