import { describe, expect, it } from 'vitest'
import zh from './zh-CN'
import en from './en'

function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}

describe('messages', () => {
  it('English has exactly the keys of zh-CN', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
  })
  it('no message is empty', () => {
    for (const m of [zh, en]) {
      for (const k of keys(m)) {
        const v = k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], m)
        expect(String(v).length, k).toBeGreaterThan(0)
      }
    }
  })
})
