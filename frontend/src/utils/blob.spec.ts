import { afterEach, describe, expect, it, vi } from 'vitest'
import { openBlobWindow } from './blob'

describe('openBlobWindow', () => {
  afterEach(() => vi.restoreAllMocks())
  it('opens the window first, then points it at a blob: URL', async () => {
    const win = { location: { href: '' }, close: vi.fn() }
    const open = vi.spyOn(window, 'open').mockReturnValue(win as unknown as Window)
    URL.createObjectURL = vi.fn(() => 'blob:x')
    URL.revokeObjectURL = vi.fn()
    await openBlobWindow(async () => new Blob(['<p>hi</p>'], { type: 'text/html' }))
    expect(open).toHaveBeenCalledWith('', '_blank')
    expect(win.location.href).toBe('blob:x')
  })
  it('closes the window when the download fails', async () => {
    const win = { location: { href: '' }, close: vi.fn() }
    vi.spyOn(window, 'open').mockReturnValue(win as unknown as Window)
    await expect(openBlobWindow(async () => Promise.reject(new Error('403')))).rejects.toThrow('403')
    expect(win.close).toHaveBeenCalled()
  })
})

describe('printableHtml', () => {
  it('swaps the inline style for the same-origin stylesheet', async () => {
    const { printableHtml } = await import('./blob')
    const out = printableHtml('<html><head><title>x</title><style>.doc{}</style></head><body><p>正文</p></body></html>', 'http://h/print.css')
    expect(out).not.toContain('<style')
    expect(out).toContain('<link rel="stylesheet" href="http://h/print.css"></head>')
    expect(out).toContain('<p>正文</p>')
  })
  it('prepends the link when there is no head', async () => {
    const { printableHtml } = await import('./blob')
    expect(printableHtml('<p>a</p>', '/p.css')).toBe('<link rel="stylesheet" href="/p.css"><p>a</p>')
  })
})
