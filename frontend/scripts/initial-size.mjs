// Prints the gzipped size of the JavaScript the browser loads before any route chunk:
// the entry script and its modulepreload links in dist/spa/index.html. Fails above the budget.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET = 400 * 1024
const dir = new URL('../dist/spa/', import.meta.url).pathname
const html = readFileSync(join(dir, 'index.html'), 'utf8')
const files = new Set()
for (const m of html.matchAll(/<(?:script[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="\/?([^"]+\.js)"/g)) files.add(m[1])
let total = 0
for (const f of files) {
  const n = gzipSync(readFileSync(join(dir, f))).length
  total += n
  console.log(`${(n / 1024).toFixed(1).padStart(8)} KB  ${f}`)
}
console.log(`initial JS: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`)
if (total > BUDGET) process.exit(1)
