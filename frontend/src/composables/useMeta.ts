// useMeta loads the code lists (GET /meta) and agencies once and labels codes in the UI language.
import { computed, ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { meta as metaApi } from '@/api'
import type { Agency, CodeLabel, Meta, MetaList } from '@/api/types'

const meta = ref<Meta | null>(null)
const agencies = ref<Agency[]>([])
let loading: Promise<void> | null = null

/** loadMeta fetches the code lists and agencies (once; call again with force after a change). */
export function loadMeta(force = false): Promise<void> {
  if (loading && !force) return loading
  loading = (async () => {
    const [m, a] = await Promise.all([metaApi.get(), metaApi.agencies().catch(() => [] as Agency[])])
    meta.value = m
    agencies.value = a
  })()
  loading.catch(() => {
    loading = null
  })
  return loading
}

/** resetMeta forgets the cached lists (at logout). */
export function resetMeta() {
  meta.value = null
  agencies.value = []
  loading = null
}

export function useMeta() {
  const { locale } = useI18n()
  const isZh = computed(() => String(locale.value).startsWith('zh'))

  function labelOf(item: CodeLabel): string {
    return isZh.value ? item.zh : item.en || item.zh
  }

  /** label returns the display name of a code in a list, or the code itself when unknown. */
  function label(list: MetaList, code: string | null | undefined): string {
    if (!code) return '—'
    const item = (meta.value?.[list] as CodeLabel[] | undefined)?.find((x) => x.code === code)
    return item ? labelOf(item) : code
  }

  /** options lists a code list as {value,label} for selects. */
  function options(list: MetaList) {
    return ((meta.value?.[list] as CodeLabel[] | undefined) ?? []).map((x) => ({ value: x.code, label: labelOf(x) }))
  }

  return { meta, agencies, label, options, load: loadMeta }
}
