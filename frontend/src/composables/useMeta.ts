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

/** FALLBACK labels code lists the server's /meta does not carry (yet): the deadline kinds. */
const FALLBACK: Partial<Record<MetaList, Record<string, CodeLabel>>> = {
  deadline_kinds: Object.fromEntries(
    (
      [
        ['acceptance_review', '受理审查', 'acceptance review'],
        ['correction_notice', '通知补正', 'correction notice'],
        ['correction_reply', '补正材料', 'correction materials'],
        ['respondent_copy', '发送申请书副本', 'copy of the application to the respondent'],
        ['respondent_reply', '被申请人答复', "respondent's reply"],
        ['hearing_notice', '听证通知', 'hearing notice'],
        ['normative_review_handle', '规范性文件审查处理', 'normative document review'],
        ['normative_review_forward', '规范性文件转送', 'normative document referral'],
        ['drafter_notice', '通知制定机关', 'notice to the drafting body'],
        ['drafter_reply', '制定机关答复', "drafting body's reply"],
        ['forwarded_review_reply', '转送审查答复', 'reply on a forwarded review'],
        ['suspension_lapse', '中止期满', 'suspension lapse'],
        ['decision', '作出决定', 'decision'],
        ['opinion_feedback', '意见书反馈', 'feedback on an opinion letter'],
        ['defence', '提交答辩', 'defence'],
        ['appeal_judgment', '判决上诉期', 'appeal against a judgment'],
        ['appeal_ruling', '裁定上诉期', 'appeal against a ruling'],
        ['appeal_answer', '上诉答辩', 'answer to an appeal'],
        ['suggestion_reply', '司法建议回复', 'reply to a judicial suggestion'],
        ['procuratorial_reply', '检察建议回复', 'reply to a procuratorial suggestion'],
        ['procuratorial_reply_urgent', '检察建议回复（紧急）', 'reply to a procuratorial suggestion (urgent)'],
      ] as const
    ).map(([code, zh, en]) => [code, { code, zh, en }]),
  ),
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
    const item = (meta.value?.[list] as CodeLabel[] | undefined)?.find((x) => x.code === code) ?? FALLBACK[list]?.[code]
    return item ? labelOf(item) : code
  }

  /** options lists a code list as {value,label} for selects. */
  function options(list: MetaList) {
    return ((meta.value?.[list] as CodeLabel[] | undefined) ?? []).map((x) => ({ value: x.code, label: labelOf(x) }))
  }

  return { meta, agencies, label, options, load: loadMeta }
}
