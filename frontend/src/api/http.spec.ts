import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, buildQuery, configureClient, filenameFrom, parseError, request } from './http'
import { cases } from './index'

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  })
}

interface State {
  access: string | null
  refresh: string | null
  lost: number
  locale: string
}

let state: State
const fetchMock = vi.fn()

beforeEach(() => {
  state = { access: 'A1', refresh: 'R1', lost: 0, locale: 'zh-CN' }
  configureClient({
    accessToken: () => state.access,
    refreshToken: () => state.refresh,
    onTokens: (p) => {
      state.access = p.access_token
      state.refresh = p.refresh_token
    },
    onAuthLost: () => {
      state.lost++
    },
    locale: () => state.locale,
  })
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
})
afterEach(() => vi.unstubAllGlobals())

describe('buildQuery', () => {
  it('drops empty values and encodes', () => {
    expect(buildQuery({ a: 1, b: '', c: null, d: undefined, e: '张 三', f: true })).toBe('?a=1&e=%E5%BC%A0+%E4%B8%89&f=true')
    expect(buildQuery({})).toBe('')
    expect(buildQuery({ s: ['x', 'y'] })).toBe('?s=x&s=y')
  })
})

describe('parseError', () => {
  it('reads the error envelope with field errors', async () => {
    const e = await parseError(
      json(400, { error: { code: 'validation', message: '收件日期不能晚于今天', fields: { received_on: '不能晚于今天' } } }),
    )
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation')
    expect(e.message).toBe('收件日期不能晚于今天')
    expect(e.fields).toEqual({ received_on: '不能晚于今天' })
  })
  it('copes with a body that is not JSON', async () => {
    const e = await parseError(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(e.status).toBe(502)
    expect(e.code).toBe('http_502')
    expect(e.message).toBe('Bad Gateway')
    expect(e.fields).toEqual({})
  })
})

describe('request', () => {
  it('sends the bearer token, the language and JSON', async () => {
    state.locale = 'en'
    fetchMock.mockResolvedValueOnce(json(201, { id: 5 }))
    const r = await request<{ id: number }>('POST', '/cases', { body: { applicant: 'x' } })
    expect(r).toEqual({ id: 5 })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/v1/cases')
    expect(init.headers.Authorization).toBe('Bearer A1')
    expect(init.headers['Accept-Language']).toBe('en')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"applicant":"x"}')
  })

  it('turns an error answer into ApiError (409 invalid transition)', async () => {
    fetchMock.mockResolvedValueOnce(
      json(409, { error: { code: 'invalid_transition', message: 'case is accepted; allowed: decide, suspend' } }),
    )
    await expect(cases.transition(3, { action: 'close', effective_on: '2024-01-02', version: 1 })).rejects.toMatchObject({
      status: 409,
      code: 'invalid_transition',
      message: 'case is accepted; allowed: decide, suspend',
    })
  })

  it('refreshes once on 401 and retries with the new token', async () => {
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: 'unauthorized', message: 'expired' } }))
      .mockResolvedValueOnce(json(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 900, user: { id: 1 } }))
      .mockResolvedValueOnce(json(200, { ok: true }))
    const r = await request('GET', '/me')
    expect(r).toEqual({ ok: true })
    expect(fetchMock).toHaveBeenCalledTimes(3)
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/auth/refresh')
    expect(JSON.parse(fetchMock.mock.calls[1][1].body)).toEqual({ refresh_token: 'R1' })
    expect(fetchMock.mock.calls[2][1].headers.Authorization).toBe('Bearer A2')
    expect(state).toMatchObject({ access: 'A2', refresh: 'R2', lost: 0 })
  })

  it('shares one refresh between concurrent 401s', async () => {
    let refreshCalls = 0
    fetchMock.mockImplementation(async (url: string, init: RequestInit) => {
      if (url.endsWith('/auth/refresh')) {
        refreshCalls++
        await new Promise((r) => setTimeout(r, 5))
        return json(200, { access_token: 'A2', refresh_token: 'R2', expires_in: 900, user: { id: 1 } })
      }
      const auth = (init.headers as Record<string, string>).Authorization
      return auth === 'Bearer A2' ? json(200, { url }) : json(401, { error: { code: 'unauthorized', message: 'x' } })
    })
    const [a, b] = await Promise.all([request('GET', '/a'), request('GET', '/b')])
    expect(a).toEqual({ url: '/api/v1/a' })
    expect(b).toEqual({ url: '/api/v1/b' })
    expect(refreshCalls).toBe(1)
  })

  it('gives up when the refresh is refused and ends the session', async () => {
    fetchMock
      .mockResolvedValueOnce(json(401, { error: { code: 'unauthorized', message: 'expired' } }))
      .mockResolvedValueOnce(json(401, { error: { code: 'unauthorized', message: 'refresh revoked' } }))
    await expect(request('GET', '/me')).rejects.toMatchObject({ status: 401 })
    expect(fetchMock).toHaveBeenCalledTimes(2)
    expect(state.lost).toBe(1)
  })

  it('does not refresh or retry the login call', async () => {
    fetchMock.mockResolvedValueOnce(json(401, { error: { code: 'bad_credentials', message: '用户名或密码错误' } }))
    await expect(request('POST', '/auth/login', { body: {}, noAuth: true })).rejects.toMatchObject({ code: 'bad_credentials' })
    expect(fetchMock).toHaveBeenCalledTimes(1)
    expect(state.lost).toBe(0)
  })

  it('answers undefined for 204', async () => {
    fetchMock.mockResolvedValueOnce(new Response(null, { status: 204 }))
    await expect(request('POST', '/auth/logout', { body: {} })).resolves.toBeUndefined()
  })

  it('puts list filters in the query string', async () => {
    fetchMock.mockResolvedValueOnce(json(200, { items: [], total: 0, page: 1, page_size: 20 }))
    await cases.list({ metric: 'comprehensive_correction', from: '2022-01-01', to: '2022-12-31', q: '', page: 1 })
    expect(fetchMock.mock.calls[0][0]).toBe('/api/v1/cases?metric=comprehensive_correction&from=2022-01-01&to=2022-12-31&page=1')
  })
})

describe('filenameFrom', () => {
  it('prefers the RFC 5987 name', () => {
    expect(filenameFrom(`attachment; filename="cases.xlsx"; filename*=UTF-8''%E6%A1%88%E4%BB%B6.xlsx`, 'x')).toBe('案件.xlsx')
    expect(filenameFrom('attachment; filename="report-2022.csv"', 'x')).toBe('report-2022.csv')
    expect(filenameFrom(null, 'fallback.csv')).toBe('fallback.csv')
  })
})
