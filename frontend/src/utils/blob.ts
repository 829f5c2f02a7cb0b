// Opening authenticated files: the API needs the bearer token, so files are fetched and shown through blob: URLs.

/** openBlobWindow opens a window at once (inside the click, so no popup blocker), then shows the blob in it. */
export async function openBlobWindow(load: () => Promise<Blob>): Promise<void> {
  const w = window.open('', '_blank')
  try {
    const blob = await load()
    const url = URL.createObjectURL(blob)
    if (w) w.location.href = url
    else window.location.assign(url)
    setTimeout(() => URL.revokeObjectURL(url), 60_000)
  } catch (e) {
    w?.close()
    throw e
  }
}

/**
 * printableHtml adapts a server-rendered printable page (document, circular) to the app's CSP: a blob: window
 * inherits the app's policy, which forbids inline <style>, so the page's style is swapped for the same-origin
 * /print.css (an absolute URL: relative ones do not resolve inside blob: documents).
 */
export function printableHtml(html: string, cssHref: string): string {
  const link = `<link rel="stylesheet" href="${cssHref.replace(/"/g, '&quot;')}">`
  const stripped = html.replace(/<style[^>]*>[\s\S]*?<\/style>/gi, '')
  if (/<\/head>/i.test(stripped)) return stripped.replace(/<\/head>/i, `${link}</head>`)
  return link + stripped
}

/** openPrintable opens a server-rendered printable page in a new window, styled by /print.css. */
export function openPrintable(load: () => Promise<Blob>): Promise<void> {
  return openBlobWindow(async () => {
    const html = await (await load()).text()
    return new Blob([printableHtml(html, `${window.location.origin}/print.css`)], { type: 'text/html;charset=utf-8' })
  })
}
