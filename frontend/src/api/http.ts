// The fetch wrapper every API call goes through: auth header, language, refresh-on-401 and the
// one error envelope {"error":{"code","message","fields"}} turned into ApiError.
import type { TokenPair } from './types'

export const API_BASE = '/api/v1'

/** ApiError is a failed API call: HTTP status, the server's error code, message and field errors. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }
}

/** isApiError narrows an unknown thrown value to ApiError. */
export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError
}

/** ClientHooks connects the client to the session (tokens) and locale without importing stores. */
export interface ClientHooks {
  accessToken(): string | null
  refreshToken(): string | null
  onTokens(pair: TokenPair): void
  onAuthLost(): void
  locale(): string
}

let hooks: ClientHooks = {
  accessToken: () => null,
  refreshToken: () => null,
  onTokens: () => {},
  onAuthLost: () => {},
  locale: () => 'zh-CN',
}

/** configureClient installs the session and locale hooks (called once at start-up and in tests). */
export function configureClient(h: ClientHooks): void {
  hooks = h
}

export type QueryValue = string | number | boolean | null | undefined
export type Query = Record<string, QueryValue | QueryValue[]>

/** buildQuery encodes a query object, leaving out empty values; arrays repeat the key. */
export function buildQuery(q?: Query): string {
  if (!q) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    const vals = Array.isArray(v) ? v : [v]
    for (const x of vals) {
      if (x === undefined || x === null || x === '') continue
      p.append(k, String(x))
    }
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

/** apiUrl is the absolute path of an API endpoint with its query string. */
export function apiUrl(path: string, q?: Query): string {
  return `${API_BASE}${path}${buildQuery(q)}`
}

/** parseError turns a non-2xx response into an ApiError, whatever its body. */
export async function parseError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`
  let message = res.statusText || `HTTP ${res.status}`
  let fields: Record<string, string> = {}
  try {
    const text = await res.text()
    if (text) {
      const body = JSON.parse(text)
      const err = body && typeof body === 'object' ? body.error : undefined
      if (err && typeof err === 'object') {
        if (typeof err.code === 'string') code = err.code
        if (typeof err.message === 'string' && err.message) message = err.message
        if (err.fields && typeof err.fields === 'object') {
          fields = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, String(v)]))
        }
      }
    }
  } catch {
    // Not JSON (a proxy's HTML page): keep the status text.
  }
  return new ApiError(res.status, code, message, fields)
}

let refreshing: Promise<boolean> | null = null

/** refreshTokens rotates the token pair once; concurrent callers share one refresh request. */
export function refreshTokens(): Promise<boolean> {
  if (refreshing) return refreshing
  const rt = hooks.refreshToken()
  if (!rt) return Promise.resolve(false)
  refreshing = (async () => {
    try {
      const res = await fetch(`${API_BASE}/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Accept-Language': hooks.locale() },
        body: JSON.stringify({ refresh_token: rt }),
      })
      if (!res.ok) return false
      hooks.onTokens((await res.json()) as TokenPair)
      return true
    } catch {
      return false
    } finally {
      refreshing = null
    }
  })()
  return refreshing
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  form?: FormData
  /** noAuth skips the Authorization header and the refresh (login, refresh). */
  noAuth?: boolean
  signal?: AbortSignal
}

/** send performs the request with auth and language headers, refreshing once on 401. */
export async function send(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  const doFetch = () => {
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': hooks.locale() }
    const token = hooks.accessToken()
    if (token && !opts.noAuth) headers.Authorization = `Bearer ${token}`
    let body: BodyInit | undefined
    if (opts.form) body = opts.form
    else if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(opts.body)
    }
    return fetch(apiUrl(path, opts.query), { method, headers, body, signal: opts.signal })
  }
  let res = await doFetch()
  if (res.status === 401 && !opts.noAuth) {
    if (await refreshTokens()) res = await doFetch()
    if (res.status === 401) {
      const err = await parseError(res)
      hooks.onAuthLost()
      throw err
    }
  }
  if (!res.ok) throw await parseError(res)
  return res
}

/** request performs a JSON API call and decodes the answer (undefined for 204). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, path, opts)
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

/** filenameFrom reads the file name of a Content-Disposition header (RFC 5987 aware). */
export function filenameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition)
  return plain ? plain[1].trim() : fallback
}

/** download fetches a file with the session's credentials and saves it through the browser. */
export async function download(path: string, query: Query, fallbackName: string): Promise<string> {
  const res = await send('GET', path, { query })
  const blob = await res.blob()
  const name = filenameFrom(res.headers.get('Content-Disposition'), fallbackName)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return name
}

/** fetchBlob fetches a file with the session's credentials as a Blob (for blob: URLs in previews). */
export async function fetchBlob(path: string, query: Query): Promise<Blob> {
  const res = await send('GET', path, { query })
  return res.blob()
}
