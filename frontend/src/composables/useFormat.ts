// useFormat binds the display formatters to the current locale.
import { useI18n } from 'vue-i18n'
import { formatDate, formatDateTime, formatNumber, formatRate } from '@/utils/format'
import type { Metric } from '@/api/types'

export function useFormat() {
  const { locale } = useI18n()
  return {
    date: (s: string | null | undefined) => formatDate(s, String(locale.value)),
    dateTime: (s: string | null | undefined) => formatDateTime(s, String(locale.value)),
    num: (n: number | null | undefined) => formatNumber(n, String(locale.value)),
    rate: (m: Metric | null | undefined, digits = 1) => formatRate(m, digits),
  }
}
