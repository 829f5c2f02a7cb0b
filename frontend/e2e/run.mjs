// End-to-end tests of the SPA against a running fuyi server, in headless Chromium (playwright-core).
//
//   FUYI_E2E_URL=http://127.0.0.1:8080 FUYI_E2E_PASSWORD=… node e2e/run.mjs
//
// Optional: FUYI_E2E_CHROMIUM (default /usr/bin/chromium), FUYI_E2E_ONLY (substring of test names),
// FUYI_E2E_SHOTS (screenshot dir, default ../docs/screenshots), FUYI_E2E_OUT (downloads, default e2e/out).
// Any console error or any request to another origin fails the test it happens in.
// Closes with the line "N passed, M failed"; exits non-zero when anything failed.
import { chromium } from 'playwright-core'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const BASE = (process.env.FUYI_E2E_URL || '').replace(/\/+$/, '')
const PASSWORD = process.env.FUYI_E2E_PASSWORD || ''
const SHOTS = resolve(process.env.FUYI_E2E_SHOTS || join(here, '..', '..', 'docs', 'screenshots'))
const OUT = resolve(process.env.FUYI_E2E_OUT || join(here, 'out'))
const ONLY = process.env.FUYI_E2E_ONLY || ''
const CHROMIUM = process.env.FUYI_E2E_CHROMIUM || '/usr/bin/chromium'
const VIEWPORT = { width: 1366, height: 768 }

if (!BASE || !PASSWORD) {
  console.error('set FUYI_E2E_URL (e.g. http://127.0.0.1:8080) and FUYI_E2E_PASSWORD')
  console.log('0 passed, 1 failed')
  process.exit(2)
}
const ORIGIN = new URL(BASE).origin
mkdirSync(SHOTS, { recursive: true })
mkdirSync(OUT, { recursive: true })

// ---------- tiny harness ----------

const tests = []
function test(name, opts, fn) {
  if (typeof opts === 'function') [fn, opts] = [opts, fn ?? {}]
  tests.push({ name, fn, opts })
}

class Check extends Error {}
function expect(cond, msg) {
  if (!cond) throw new Check(msg)
}
function eq(a, b, msg) {
  if (a !== b) throw new Check(`${msg}: expected ${JSON.stringify(b)}, got ${JSON.stringify(a)}`)
}

/** Session wraps one browser context with the console/origin guards. */
async function newSession(browser, t) {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true, locale: 'zh-CN' })
  context.setDefaultTimeout(20_000)
  const problems = []
  const allowed = new Set(t.opts.allowHttpErrors ?? [])
  context.on('request', (req) => {
    const url = req.url()
    if (!/^(https?|wss?):/.test(url)) return
    if (new URL(url).origin !== ORIGIN) problems.push(`off-origin request: ${url}`)
  })
  const page = await context.newPage()
  let s = null
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return
    const text = msg.text()
    const m = /status of (\d{3})/.exec(text)
    if (m && allowed.has(Number(m[1]))) return
    problems.push(`console error: ${text}`)
  })
  page.on('response', (res) => {
    if (res.status() >= 400) s.httpErrors.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`)
  })
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`))
  s = { context, page, problems, httpErrors: [] }
  return s
}

// ---------- helpers ----------

async function settle(page) {
  await page.waitForLoadState('domcontentloaded')
  await page
    .waitForFunction(
      () => !document.querySelector('[data-testid="state-loading"], .el-loading-mask:not([style*="display: none"])'),
      null,
      { timeout: 20_000 },
    )
    .catch(() => {})
  await page.waitForTimeout(150)
}

async function shot(page, name) {
  await settle(page)
  await page.waitForTimeout(400) // charts finish their entry animation
  await page.evaluate(() => document.querySelectorAll('.el-message').forEach((e) => e.remove()))
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

async function login(page, username, { locale = 'zh-CN' } = {}) {
  await page.goto(`${BASE}/login`)
  await page.evaluate((l) => localStorage.setItem('fuyi.locale', l), locale)
  await page.goto(`${BASE}/login`)
  await field(page, 'login-username').fill(username)
  await field(page, 'login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('current-user').waitFor()
  await settle(page)
}

/** field is the native input or textarea of an Element Plus input (the test id may sit on either). */
function field(page, testid) {
  const id = `[data-testid="${testid}"]`
  return page.locator(`input${id}, textarea${id}, ${id} input, ${id} textarea`).first()
}

/** choose picks an option of an Element Plus select: by visible text, or the first one. */
async function choose(page, testid, text) {
  await page.getByTestId(testid).click()
  const items = page.locator('.el-select-dropdown__item:visible')
  const item = text ? items.filter({ hasText: text }).first() : items.first()
  await item.click()
  // let the dropdown finish closing so the next choose() sees only its own options
  await page.waitForFunction(() => !document.querySelector('.el-select-dropdown__item:not([style*="none"])')?.closest('.el-popper:not([style*="display: none"])'), null, { timeout: 3000 }).catch(() => {})
  await page.waitForTimeout(300)
}

async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const s = JSON.parse(localStorage.getItem('fuyi.session') || '{}')
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers: { Authorization: `Bearer ${s.access}`, 'Content-Type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      })
      let json = null
      try {
        json = await res.json()
      } catch {
        /* empty */
      }
      return { status: res.status, json }
    },
    { method, path, body },
  )
}

async function kpiNumber(page, key, part = 'value') {
  const txt = (await page.getByTestId(`kpi-${key}-${part}`).innerText()).replace(/[,\s%]/g, '')
  return Number(txt)
}

async function caseTotal(page) {
  await settle(page)
  return Number(await page.getByTestId('case-total').getAttribute('data-total'))
}

const today = new Date()
const YEAR = today.getFullYear()

async function doAction(page, action, fill) {
  const before = await page.getByTestId('case-status').getAttribute('data-status')
  await page.getByTestId(`action-${action}`).click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await page.getByTestId('action-submit').click()
  const confirm = page.locator('.el-message-box .confirm-ok')
  if (await confirm.isVisible({ timeout: 1500 }).catch(() => false)) await confirm.click()
  await page.waitForFunction(
    (b) => {
      const el = document.querySelector('[data-testid="case-status"]')
      return el && el.getAttribute('data-status') !== b && !document.querySelector('.el-dialog:not([style*="display: none"]) [data-testid="action-error"]')
    },
    before,
    { timeout: 15_000 },
  ).catch(async () => {
    const err = await page.getByTestId('action-error').innerText().catch(() => '')
    throw new Check(`action ${action} did not change the status from ${before}${err ? `: ${err}` : ''}`)
  })
  await settle(page)
  return page.getByTestId('case-status').getAttribute('data-status')
}

// ---------- scenarios ----------

test('login page and language switch (remembered, dates per locale)', async ({ page }) => {
  await page.goto(`${BASE}/login`)
  await page.evaluate(() => localStorage.removeItem('fuyi.locale'))
  await page.goto(`${BASE}/login`)
  await page.getByTestId('login-submit').waitFor()
  eq((await page.getByTestId('login-submit').innerText()).replace(/\s/g, ''), '登录', 'default language is zh-CN')
  await shot(page, 'login')
  await page.getByTestId('lang-en').click()
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  eq((await page.getByTestId('login-submit').innerText()).trim(), 'Log in', 'English after switching')
  await page.reload()
  await page.getByTestId('login-submit').waitFor()
  eq((await page.getByTestId('login-submit').innerText()).trim(), 'Log in', 'English remembered after reload')
  // wrong password: an inline error, in English
  await field(page, 'login-username').fill('manager')
  await field(page, 'login-password').fill(`${PASSWORD}-wrong`)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('login-error').waitFor()
  // logged in: dates follow the locale
  await field(page, 'login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('current-user').waitFor()
  await page.goto(`${BASE}/dashboard?kind=year&year=2022`)
  await settle(page)
  expect((await page.getByTestId('period-range').innerText()).includes('Jan 1, 2022'), 'English date on the dashboard')
  await shot(page, 'dashboard-en')
  await page.getByTestId('lang-zh').click()
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN')
  expect((await page.getByTestId('period-range').innerText()).includes('2022年1月1日'), 'Chinese date 2022年1月1日')
  eq(await page.evaluate(() => localStorage.getItem('fuyi.locale')), 'zh-CN', 'choice stored')
}, { allowHttpErrors: [401] })

test('officer registers a case, takes it to closed, and sees it counted', async ({ page }) => {
  await login(page, 'officer')
  await page.goto(`${BASE}/dashboard?kind=year&year=${YEAR}`)
  await settle(page)
  const closedBefore = await kpiNumber(page, 'closed')
  const corrBefore = await kpiNumber(page, 'comprehensive_correction', 'num')

  await page.getByTestId('nav-cases').click()
  await settle(page)
  await shot(page, 'case-list')
  await page.getByTestId('new-case').click()
  await page.getByTestId('case-form').waitFor()
  // inline validation first: saving an empty form shows the errors next to the fields
  await page.getByTestId('case-save').click()
  await page.locator('.el-form-item__error').first().waitFor()
  const applicant = `E2E申请人${Date.now()}`
  await field(page, 'case-applicant').fill(applicant)
  await choose(page, 'case-respondent')
  await choose(page, 'case-act-type')
  await choose(page, 'case-channel').catch(() => {})
  await field(page, 'case-request').fill('请求撤销该行政处罚决定。')
  await shot(page, 'case-form')
  await page.getByTestId('case-save').click()
  await page.getByTestId('case-detail').waitFor()
  await page.getByTestId('case-no').waitFor()
  const url = page.url()
  const caseId = Number(/\/cases\/(\d+)/.exec(url)?.[1])
  expect(caseId > 0, `case detail URL ${url}`)

  await doAction(page, 'request_correction')
  await shot(page, 'case-detail')
  if (await page.getByTestId('action-receive_correction').isVisible().catch(() => false)) await doAction(page, 'receive_correction')
  await doAction(page, 'accept')
  await doAction(page, 'decide', async () => {
    await choose(page, 'action-outcome', await outcomeLabel(page, 'revoked'))
  })
  eq(await page.getByTestId('field-outcome').innerText(), await outcomeLabel(page, 'revoked'), 'outcome shown')
  await doAction(page, 'serve')
  const final = await doAction(page, 'close')
  eq(final, 'closed', 'final status')
  await page.getByTestId('no-actions').waitFor()

  // the server refuses what the UI no longer offers
  const version = (await api(page, 'GET', `/cases/${caseId}`)).json.version
  const refused = await api(page, 'POST', `/cases/${caseId}/transitions`, { action: 'close', effective_on: isoToday(), version })
  expect([409, 422].includes(refused.status), `closing twice refused (got ${refused.status})`)
  eq(refused.json?.error?.code, 'invalid_transition', 'refusal code')

  await page.getByTestId('nav-dashboard').click()
  await page.goto(`${BASE}/dashboard?kind=year&year=${YEAR}`)
  await settle(page)
  eq(await kpiNumber(page, 'closed'), closedBefore + 1, 'closed count on the dashboard')
  eq(await kpiNumber(page, 'comprehensive_correction', 'num'), corrBefore + 1, 'correction numerator on the dashboard')
  // and the drill-down lists it
  await page.getByTestId('kpi-closed-value').click()
  await page.getByTestId('case-list').waitFor()
  await field(page, 'filter-q').fill(applicant)
  await page.getByTestId('filter-apply').click()
  eq(await caseTotal(page), 1, 'the new case is among the closed ones')
}, { allowHttpErrors: [409, 422] })

async function outcomeLabel(page, code) {
  const meta = (await api(page, 'GET', '/meta')).json
  const zh = await page.evaluate(() => document.documentElement.lang.startsWith('zh'))
  const o = meta.outcomes.find((x) => x.code === code)
  return zh ? o.zh : o.en
}

function isoToday() {
  return `${YEAR}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`
}

test('manager drills from the correction rate to exactly its cases', async ({ page }) => {
  // The URL `make run` prints: not logged in yet, the login page brings the manager back to it.
  await page.goto(`${BASE}/dashboard?year=2022`)
  await page.getByTestId('login-submit').waitFor()
  eq(new URL(page.url()).searchParams.get('next'), '/dashboard?year=2022', 'login keeps the requested URL')
  await field(page, 'login-username').fill('manager')
  await field(page, 'login-password').fill(PASSWORD)
  await page.getByTestId('login-submit').click()
  await page.getByTestId('current-user').waitFor()
  await page.waitForURL((u) => u.pathname === '/dashboard' && u.searchParams.get('year') === '2022')
  await page.getByTestId('kpi-comprehensive_correction-value').waitFor()
  expect((await page.getByTestId('period-range').innerText()).includes('2022年1月1日'), 'the 2022 dashboard after login')

  // Performance: a fresh load of the dashboard until its numbers and charts are on screen.
  await page.goto(`${BASE}/dashboard?year=2022`)
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="kpi-comprehensive_correction-value"]') &&
      document.querySelectorAll('[data-testid="dashboard"] canvas').length >= 4 &&
      !document.querySelector('[data-testid="state-loading"]'),
    null,
    { timeout: 20_000 },
  )
  const interactive = await page.evaluate(() => Math.round(performance.now()))
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0]
    return n ? Math.round(n.domContentLoadedEventEnd) : 0
  })
  console.log(`    dashboard interactive in ${interactive} ms (DOMContentLoaded ${nav} ms; budget 1500 ms)`)
  await settle(page)
  await shot(page, 'dashboard')
  const num = await kpiNumber(page, 'comprehensive_correction', 'num')
  const den = await kpiNumber(page, 'comprehensive_correction', 'den')
  const shown = (await page.getByTestId('kpi-comprehensive_correction-value').innerText()).trim()
  console.log(`    2022 comprehensive correction: ${num}/${den} = ${shown}`)
  if (den === 182 && num === 71) eq(shown, '39.0%', 'seed rate')
  await page.getByTestId('kpi-comprehensive_correction-value').click()
  await page.getByTestId('case-list').waitFor()
  await page.getByTestId('metric-banner').waitFor()
  eq(await caseTotal(page), num, 'list total equals the numerator')
  const q = new URL(page.url()).searchParams
  eq(q.get('metric'), 'comprehensive_correction', 'metric in the URL')
  eq(q.get('from'), '2022-01-01', 'from')
  eq(q.get('to'), '2022-12-31', 'to')
  await shot(page, 'case-list-drilldown')
  // the denominator drills too
  await page.goBack()
  await settle(page)
  await page.getByTestId('kpi-comprehensive_correction-den').click()
  eq(await caseTotal(page), den, 'closed list total equals the denominator')

  // litigation pages
  await page.getByTestId('nav-litigations').click()
  await settle(page)
  await shot(page, 'litigation-list')
  const first = page.getByTestId('lit-link').first()
  if (await first.isVisible().catch(() => false)) {
    await first.click()
    await page.getByTestId('litigation-detail').waitFor()
    await shot(page, 'litigation-detail')
  }

  // import: a dry run of a small ledger reports its bad row and writes nothing
  await page.goto(`${BASE}/import`)
  await page.getByTestId('import').waitFor()
  const casesBefore = (await api(page, 'GET', '/cases?page_size=1')).json.total
  const csv = `申请人,申请人类型,被申请人,行政行为类别,收件日期,受理情况\n张三,公民,${await someAgency(page)},行政处罚,${YEAR}-01-05,审查中\n,公民,,行政处罚,not-a-date,审查中\n`
  await page.getByTestId('import-file').setInputFiles({ name: 'ledger.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByTestId('import-dry-run').click()
  await page.getByTestId('import-result').waitFor({ timeout: 30_000 })
  await page.getByTestId('import-problems').waitFor()
  const problems = await page.getByTestId('import-problems').innerText()
  expect(problems.includes('not-a-date') && /\b3\b/.test(problems), `the bad row 3 and its date are reported: ${problems.slice(0, 200)}`)
  expect(await page.getByTestId('import-confirm').isDisabled(), 'a ledger with errors cannot be confirmed')
  eq((await api(page, 'GET', '/cases?page_size=1')).json.total, casesBefore, 'a dry run writes nothing')
  await shot(page, 'import')
})

async function someAgency(page) {
  const a = (await api(page, 'GET', '/agencies')).json
  return a?.[0]?.name ?? '区公安分局'
}

test('case list pages: next follows the cursor, page numbers jump, same rows as the API', async ({ page }) => {
  await login(page, 'manager')
  await page.goto(`${BASE}/cases`)
  await page.getByTestId('case-list').waitFor()
  await settle(page)
  const caseNos = async () => page.getByTestId('case-link').allInnerTexts()
  const apiNos = async (q) => (await api(page, 'GET', `/cases?${q}`)).json.items.map((c) => c.case_no)
  const total = page.getByTestId('case-total')
  eq(await total.getAttribute('data-exact'), 'true', 'the demo list is counted exactly')
  expect(Number(await total.getAttribute('data-total')) > 60, 'the demo has more than three pages of cases')
  const p1 = await caseNos()
  eq(p1.join(), (await apiNos('page=1')).join(), 'page 1 as the API lists it')
  const active = async () => (await page.locator('.el-pagination li.number.is-active').innerText()).trim()
  // "next" twice: by cursor (after= in the URL), numbered 2 and 3, the rows of pages 2 and 3
  for (const n of [2, 3]) {
    await page.locator('.el-pagination button.btn-next').click()
    await settle(page)
    expect(new URL(page.url()).searchParams.get('after'), `page ${n} is opened by its cursor`)
    eq(await active(), String(n), `the pager shows page ${n}`)
    eq((await caseNos()).join(), (await apiNos(`page=${n}`)).join(), `page ${n} by cursor = page ${n} by number`)
  }
  // a page number jumps (no cursor), and back to page 1
  const one = page.locator('.el-pagination li.number').first()
  eq((await one.innerText()).trim(), '1', 'the pager starts at page 1')
  await one.click()
  await settle(page)
  eq(new URL(page.url()).searchParams.get('after'), null, 'a page jump has no cursor')
  eq((await caseNos()).join(), p1.join(), 'back on page 1')
})

test('reporter downloads the yearly XLSX', async ({ page }) => {
  await login(page, 'reporter')
  await page.evaluate(() => localStorage.setItem('fuyi.reports.year', '2022'))
  await page.goto(`${BASE}/reports`)
  await page.getByTestId('reports').waitFor()
  await settle(page)
  expect((await page.getByTestId('report-paragraph').innerText()).trim().length > 10, 'report paragraph shown')
  await shot(page, 'reports')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()])
  const path = join(OUT, 'report-2022.xlsx')
  await download.saveAs(path)
  const head = readFileSync(path).subarray(0, 2).toString('latin1')
  eq(head, 'PK', 'XLSX is a zip file')
  console.log(`    XLSX: ${path}`)
  // the case list export of the current filter, too
  await page.goto(`${BASE}/cases?metric=closed&from=2022-01-01&to=2022-12-31`)
  await settle(page)
  await page.getByTestId('export').click()
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()])
  const csvPath = join(OUT, 'cases-2022-closed.csv')
  await csv.saveAs(csvPath)
  console.log(`    CSV: ${csvPath}`)
})

test('an action the role may not take is hidden and refused', async ({ page }) => {
  await login(page, 'reporter')
  expect(!(await page.getByTestId('nav-admin').isVisible()), 'no admin menu for a reporter')
  await page.goto(`${BASE}/admin`)
  await page.getByTestId('forbidden').waitFor()
  await shot(page, 'forbidden')
  await page.goto(`${BASE}/cases`)
  await page.getByTestId('case-list').waitFor()
  await settle(page)
  expect(!(await page.getByTestId('new-case').isVisible()), 'no new-case button for a reporter')
  expect(!(await page.getByTestId('nav-import').isVisible()), 'no import menu for a reporter')
  const created = await api(page, 'POST', '/cases', { applicant: '越权', applicant_type: 'citizen', respondent: 1, act_type: 'penalty', received_on: isoToday() })
  eq(created.status, 403, 'a reporter creating a case is refused')
  const list = (await api(page, 'GET', '/cases?page_size=1')).json
  expect(list?.items?.length, 'reporter sees cases')
  const c = list.items[0]
  await page.goto(`${BASE}/cases/${c.id}`)
  await page.getByTestId('case-actions').waitFor()
  eq(await page.locator('[data-testid^="action-"]').count(), 0, 'no action buttons for a reporter')
  expect(!(await page.getByTestId('edit-case').isVisible()), 'no edit button for a reporter')
  const r = await api(page, 'POST', `/cases/${c.id}/transitions`, { action: 'close', effective_on: isoToday(), version: c.version })
  expect([403, 409, 422].includes(r.status), `reporter transition refused (got ${r.status})`)
  const a = await api(page, 'GET', '/admin/users')
  eq(a.status, 403, 'admin API refused for a reporter')
  await page.goto(`${BASE}/no-such-page`)
  await page.getByTestId('not-found').waitFor()
  await shot(page, 'not-found')
}, { allowHttpErrors: [403, 409, 422] })

test('admin adds a holiday calendar year', async ({ page }) => {
  await login(page, 'admin')
  await page.getByTestId('nav-admin').click()
  await page.getByTestId('admin-users').waitFor()
  await shot(page, 'admin-users')
  await page.goto(`${BASE}/admin?tab=organs`)
  await page.getByTestId('admin-organs').waitFor()
  await shot(page, 'admin-organs')
  await page.goto(`${BASE}/admin?tab=metrics`)
  await page.getByTestId('admin-metrics').waitFor()
  await settle(page)
  await page.getByTestId('metric-edit-comprehensive_correction').waitFor()
  await shot(page, 'admin-metrics')
  await page.getByTestId('metric-edit-comprehensive_correction').click()
  await page.waitForFunction(() => /\d+\s*\/\s*\d+/.test(document.querySelector('[data-testid="metric-preview"]')?.textContent ?? ''), null, { timeout: 15_000 })
  await shot(page, 'admin-metrics-preview')
  await page.keyboard.press('Escape')
  await page.goto(`${BASE}/admin?tab=calendar`)
  await page.getByTestId('admin-calendar').waitFor()
  await settle(page)
  const years = (await api(page, 'GET', '/calendar')).json.map((y) => y.year)
  const year = Math.max(...years, YEAR) + 1
  await page.getByTestId('add-calendar-year').click()
  await field(page, 'calendar-json').fill('{not json')
  await page.getByTestId('calendar-save').click()
  await page.locator('.el-dialog:visible .el-form-item__error').waitFor()
  const cal = {
    year,
    source: `e2e ${year}`,
    days: [
      { date: `${year}-01-01`, name: '元旦', off: true },
      { date: `${year}-10-01`, name: '国庆节', off: true },
      { date: `${year}-10-10`, name: '国庆节调休', off: false },
    ],
  }
  await field(page, 'calendar-json').fill(JSON.stringify(cal, null, 2))
  await shot(page, 'admin-calendar-add')
  await page.getByTestId('calendar-save').click()
  await page.getByTestId(`calendar-year-${year}`).waitFor()
  await shot(page, 'admin-calendar')
})

/** relogin switches the user within one test: forget the session, then log in. */
async function relogin(page, username) {
  await page.evaluate(() => localStorage.removeItem('fuyi.session'))
  await login(page, username)
}

async function waitGone(page, testid) {
  await page.waitForFunction((id) => !document.querySelector(`[data-testid="${id}"]`), testid, { timeout: 15_000 })
}

/** decideInQueue: the approver finds the proposal in 待我审批 and approves or returns it with a comment. */
async function decideInQueue(page, proposalId, decision, comment) {
  await page.goto(`${BASE}/queues?tab=awaiting_approval`)
  await page.getByTestId('queues').waitFor()
  await settle(page)
  await page.getByTestId(`${decision}-${proposalId}`).click()
  await page.getByTestId('decide-dialog').waitFor()
  if (comment) await field(page, 'decide-comment').fill(comment)
  await page.getByTestId('decide-submit').click()
  await page.locator('.el-message-box .confirm-ok').click()
  await waitGone(page, `${decision}-${proposalId}`)
  await settle(page)
}

/** proposeDecision: on the case page, the handler fills 作出决定 and, since the organ requires approval, proposes it. */
async function proposeDecision(page, caseId) {
  await page.goto(`${BASE}/cases/${caseId}`)
  await page.getByTestId('case-no').waitFor()
  await settle(page)
  await page.getByTestId('action-decide').click()
  await page.locator('.el-dialog:visible').waitFor()
  await choose(page, 'action-outcome', await outcomeLabel(page, 'revoked'))
  await page.getByTestId('action-redo').click()
  // the rule is known up front, so the dialog offers 提交审批 directly (a 422 approval_required would switch it too)
  if (!(await page.getByTestId('action-propose').isVisible().catch(() => false))) {
    await page.getByTestId('action-submit').click()
    const confirm = page.locator('.el-message-box .confirm-ok')
    if (await confirm.isVisible({ timeout: 1500 }).catch(() => false)) await confirm.click()
    await page.getByTestId('action-propose').waitFor()
  }
  await page.getByTestId('action-propose').click()
  await page.locator('[data-testid="case-proposals"] [data-status="pending"]').waitFor()
  const list = (await api(page, 'GET', `/cases/${caseId}/proposals`)).json
  const pending = list.find((p) => p.status === 'pending')
  expect(pending, 'a pending proposal after 提交审批')
  eq(await page.getByTestId('case-status').getAttribute('data-status'), 'accepted', 'the case does not change while the proposal waits')
  return pending.id
}

test('issue 11: bulk assignment, my queue, approval chain with a return, documents', async ({ page }) => {
  // --- setup through the API: five new cases (manager) and a decide approval rule manager → admin (admin)
  await login(page, 'manager')
  const me = (await api(page, 'GET', '/me')).json
  const organ = me.organs[0]
  const meta = (await api(page, 'GET', '/meta')).json
  const agencies = (await api(page, 'GET', '/agencies')).json
  const agency = (agencies.items ?? agencies).find((a) => (a.organ_id ?? organ.id) === organ.id) ?? (agencies.items ?? agencies)[0]
  const marker = `E2E分配${Date.now()}`
  const ids = []
  for (let i = 0; i < 5; i++) {
    const r = await api(page, 'POST', '/cases', {
      organ_id: organ.id,
      applicant: `${marker}-${i + 1}`,
      applicant_type: meta.applicant_types[0].code,
      respondent: agency.id,
      act_type: meta.act_types[0].code,
      channel: meta.channels?.[0]?.code,
      received_on: isoToday(),
      request: '请求撤销该行政处罚决定。',
    })
    eq(r.status, 201, `case ${i + 1} created (${JSON.stringify(r.json?.error ?? '')})`)
    ids.push(r.json.id)
  }

  // --- manager bulk-assigns the five to 李承办 from the case list
  await page.goto(`${BASE}/cases?q=${encodeURIComponent(marker)}`)
  eq(await caseTotal(page), 5, 'five marked cases listed')
  await page.locator('[data-testid="case-table"] thead .el-checkbox').click()
  await page.getByTestId('bulk-assign').click()
  await page.getByTestId('assign-dialog').waitFor()
  await settle(page)
  await choose(page, 'assign-handler', '李承办')
  await shot(page, 'case-list-assign')
  await page.getByTestId('assign-submit').click()
  await waitGone(page, 'assign-dialog')
  await settle(page)
  for (const id of ids) eq((await api(page, 'GET', `/cases/${id}`)).json.handler_name, '李承办', `case ${id} assigned`)
  const team = (await api(page, 'GET', '/queues/team')).json
  expect(team.items.some((w) => w.handler_name === '李承办' && w.open >= 5), 'the team queue counts the handler’s cases')
  await page.goto(`${BASE}/queues?tab=team`)
  await page.getByTestId('queue-team').waitFor()
  await shot(page, 'queue-team')

  await relogin(page, 'admin')
  const rule = await api(page, 'PUT', `/approval-rules/decide?organ=${organ.id}`, { steps: [{ role: 'manager' }, { role: 'admin' }], version: 0 })
  expect(rule.status === 200, `decide rule set (got ${rule.status} ${JSON.stringify(rule.json?.error ?? '')})`)
  await page.goto(`${BASE}/admin?tab=approvals`)
  await page.getByTestId('admin-approvals').waitFor()
  await settle(page)
  await shot(page, 'admin-approvals')
  await page.goto(`${BASE}/admin?tab=templates`)
  await page.getByTestId('template-acceptance_notice').waitFor()
  expect((await page.getByTestId('template-acceptance_notice').innerText()).includes('受理通知书'), 'the admin sees the 受理通知书 template')
  await page.getByTestId('template-edit-acceptance_notice').click()
  await page.getByTestId('template-body').waitFor()
  await shot(page, 'admin-templates')

  // --- the officer sees them in 我的案件, nearest due date first, with the days waiting
  await relogin(page, 'officer')
  await page.getByTestId('nav-queues').click()
  await page.getByTestId('queues').waitFor()
  await page.goto(`${BASE}/queues?tab=mine`)
  await page.getByTestId('queue-cases').waitFor()
  await settle(page)
  const mine = []
  for (let pg = 1; pg < 50; pg++) {
    const r = (await api(page, 'GET', `/queues/mine?page=${pg}&page_size=200`)).json
    mine.push(...r.items)
    if (mine.length >= r.total || !r.items.length) break
  }
  eq(mine.filter((q) => q.applicant.startsWith(marker)).length, 5, 'the five assigned cases are in the mine queue')
  const dueOrder = mine.map((q) => q.next_due_on ?? '9999')
  if (!dueOrder.every((d, i) => i === 0 || dueOrder[i - 1] <= d)) console.log('    note: the mine queue is not in due-date order')
  const rows = page.locator('[data-testid="queue-cases"] tbody tr').filter({ hasText: marker })
  if (mine.length <= 200) eq(await rows.count(), 5, 'the five assigned cases are shown in 我的案件')
  const dues = await page.locator('[data-testid="queue-cases"] tbody tr').evaluateAll((trs) =>
    trs.map((tr) => tr.querySelector('[data-testid="queue-due"]')?.textContent?.trim() ?? ''),
  )
  expect(dues.length > 0 && (await page.getByTestId('queue-waiting').first().innerText()).length > 0, 'due dates and days waiting shown')
  await shot(page, 'queues')

  // --- the handler accepts one and proposes the decision; the section head returns it with a comment
  const caseId = ids[0]
  if (mine.length <= 200) {
    await rows.first().getByTestId('queue-case-link').click()
    await page.getByTestId('case-no').waitFor()
  }
  await page.goto(`${BASE}/cases/${caseId}`)
  await page.getByTestId('case-no').waitFor()
  await settle(page)
  await doAction(page, 'accept')
  const p1 = await proposeDecision(page, caseId)

  await relogin(page, 'manager')
  const comment = '请补充被申请人答复意见后再报'
  await page.goto(`${BASE}/queues?tab=awaiting_approval`)
  await page.getByTestId(`approve-${p1}`).waitFor()
  await settle(page)
  await shot(page, 'queue-approvals')
  await decideInQueue(page, p1, 'return', comment)

  // --- the handler sees the comment, proposes again
  await relogin(page, 'officer')
  await page.goto(`${BASE}/cases/${caseId}`)
  await page.locator(`[data-testid="proposal-${p1}"][data-status="returned"]`).waitFor()
  expect((await page.getByTestId(`proposal-${p1}`).innerText()).includes(comment), 'the return comment is shown')
  const p2 = await proposeDecision(page, caseId)

  // --- section head approves step 1, the office head (admin) approves step 2 on the case page: only then the decision
  await relogin(page, 'manager')
  await decideInQueue(page, p2, 'approve')
  eq((await api(page, 'GET', `/cases/${caseId}`)).json.status, 'accepted', 'still accepted after the first of two approvals')
  await relogin(page, 'admin')
  await page.goto(`${BASE}/cases/${caseId}`)
  await page.getByTestId(`approve-${p2}`).click()
  await page.getByTestId('decide-dialog').waitFor()
  await page.getByTestId('decide-submit').click()
  await page.locator('.el-message-box .confirm-ok').click()
  await page.locator(`[data-testid="proposal-${p2}"][data-status="approved"]`).waitFor()
  await page.waitForFunction(() => document.querySelector('[data-testid="case-status"]')?.getAttribute('data-status') !== 'accepted', null, { timeout: 15_000 })
  eq(await page.getByTestId('field-outcome').innerText(), await outcomeLabel(page, 'revoked'), 'the case shows the approved decision')
  const timeline = await page.getByTestId('case-timeline').innerText()
  expect(timeline.length > 0, 'timeline shown')
  await settle(page)
  await shot(page, 'case-approvals')

  // --- the 受理通知书 prints with the case's data and the organ's name
  const c = (await api(page, 'GET', `/cases/${caseId}`)).json
  await choose(page, 'doc-kind', '受理通知书')
  await page.getByTestId('doc-generate').click()
  await page.getByTestId('doc-print-acceptance_notice').waitFor()
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('doc-print-acceptance_notice').click()])
  await popup.waitForURL(/^blob:/, { timeout: 15_000 })
  await popup.waitForLoadState('load')
  const text = await popup.locator('body').innerText()
  expect(text.includes(c.organ_name), `the notice names the organ ${c.organ_name}`)
  expect(text.includes(`${marker}-1`), 'the notice names the applicant')
  const styled = await popup.evaluate(() => getComputedStyle(document.querySelector('.doc')).maxWidth)
  expect(styled && styled !== 'none', `the print style applies under the app's CSP (max-width ${styled})`)
  await popup.setViewportSize(VIEWPORT).catch(() => {})
  await popup.screenshot({ path: join(SHOTS, 'document-print.png') })
  await popup.close()
  await settle(page)
  await shot(page, 'case-documents')

  // --- follow-ups, circular, audit, account (admin)
  await page.getByTestId('nav-followups').click()
  await page.getByTestId('followups').waitFor()
  await settle(page)
  await shot(page, 'followups')
  await page.goto(`${BASE}/circular`)
  await page.getByTestId('circular').waitFor()
  await shot(page, 'circular')
  await page.getByTestId('nav-audit').click()
  await page.getByTestId('audit-table').waitFor()
  await settle(page)
  expect(Number(/\d+/.exec(await page.getByTestId('audit-total').innerText())?.[0]) > 0, 'audit rows listed')
  await shot(page, 'audit')
  await page.getByTestId('current-user').click()
  await page.getByTestId('session-table').waitFor()
  await settle(page)
  await shot(page, 'account')
}, { allowHttpErrors: [422] })

// ---------- run ----------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let passed = 0
let failed = 0
for (const t of tests) {
  if (ONLY && !t.name.includes(ONLY)) continue
  const started = Date.now()
  const s = await newSession(browser, t)
  let error = null
  try {
    await t.fn(s)
  } catch (e) {
    error = e
  }
  const problems = [...new Set(s.problems)].map((p) => {
    const n = s.problems.filter((x) => x === p).length
    return n > 1 ? `${p} (×${n})` : p
  })
  if (!error && problems.length) error = new Check(problems.join('\n      '))
  else if (error && problems.length) error.message += `\n      ${problems.join('\n      ')}`
  if (error) {
    failed++
    console.log(`FAIL ${t.name} (${Date.now() - started} ms)\n      ${error instanceof Check ? error.message : error.stack}`)
    if (s.httpErrors.length) console.log(`      responses: ${s.httpErrors.slice(0, 8).join('\n                 ')}`)
    await s.page.screenshot({ path: join(OUT, `fail-${t.name.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => {})
  } else {
    passed++
    console.log(`ok   ${t.name} (${Date.now() - started} ms)`)
  }
  await s.context.close()
}
await browser.close()
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
