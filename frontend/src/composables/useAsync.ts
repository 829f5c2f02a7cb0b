// useAsync runs a loader and exposes loading/error/data for the page's loading, empty and error states.
import { ref, shallowRef, type Ref } from 'vue'
import { isApiError } from '@/api'

export interface AsyncState<T> {
  data: Ref<T | null>
  loading: Ref<boolean>
  error: Ref<string | null>
  run: () => Promise<void>
}

export function useAsync<T>(loader: () => Promise<T>): AsyncState<T> {
  const data = shallowRef<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  const error = ref<string | null>(null)
  let seq = 0

  async function run() {
    const my = ++seq
    loading.value = true
    error.value = null
    try {
      const v = await loader()
      if (my === seq) data.value = v
    } catch (e) {
      if (my === seq) error.value = errorMessage(e)
    } finally {
      if (my === seq) loading.value = false
    }
  }

  return { data, loading, error, run }
}

/** errorMessage is the human message of any thrown value. */
export function errorMessage(e: unknown): string {
  if (isApiError(e)) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}
