import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, initialLocale } from '@/i18n'
import { useLocaleStore } from './locale'

describe('locale store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })
  it('defaults to zh-CN', () => {
    expect(initialLocale()).toBe('zh-CN')
    expect(useLocaleStore().locale).toBe('zh-CN')
  })
  it('switches vue-i18n and <html lang>, and remembers the choice', () => {
    const s = useLocaleStore()
    s.set('en')
    expect(i18n.global.locale.value).toBe('en')
    expect(document.documentElement.lang).toBe('en')
    expect(localStorage.getItem('fuyi.locale')).toBe('en')
    expect(initialLocale()).toBe('en')
    expect(i18n.global.t('login.submit')).toBe('Log in')
    s.set('zh-CN')
    expect(i18n.global.t('login.submit')).toBe('登录')
  })
  it('ignores a garbage stored value', () => {
    localStorage.setItem('fuyi.locale', 'fr')
    expect(initialLocale()).toBe('zh-CN')
  })
  it('formats interpolated messages without eval (JIT compilation)', () => {
    i18n.global.locale.value = 'zh-CN'
    expect(i18n.global.t('common.total', { n: 71 })).toBe('共 71 条')
  })
})
