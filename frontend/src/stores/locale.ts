// The locale store: the UI language, remembered in localStorage and applied to vue-i18n and <html lang>.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { i18n, initialLocale, LOCALE_KEY, type Locale } from '@/i18n'

export const useLocaleStore = defineStore('locale', () => {
  const locale = ref<Locale>(initialLocale())

  function apply(l: Locale) {
    i18n.global.locale.value = l
    if (typeof document !== 'undefined') document.documentElement.lang = l
  }

  /** set switches the language and remembers the choice. */
  function set(l: Locale) {
    locale.value = l
    apply(l)
    try {
      localStorage.setItem(LOCALE_KEY, l)
    } catch {
      /* storage blocked: the choice lasts for this page only */
    }
  }

  apply(locale.value)
  return { locale, set }
})
