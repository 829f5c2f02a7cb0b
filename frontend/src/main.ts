import { createApp } from 'vue'
import { createPinia } from 'pinia'
import 'element-plus/dist/index.css'
import './styles.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router } from './router'
import { configureClient } from './api'
import { useSessionStore } from './stores/session'
import { useLocaleStore } from './stores/locale'
import { resetMeta } from './composables/useMeta'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)

const session = useSessionStore()
const locale = useLocaleStore()
configureClient({
  accessToken: () => session.accessToken,
  refreshToken: () => session.refreshToken,
  onTokens: (p) => session.setTokens(p),
  onAuthLost: () => {
    session.clear()
    resetMeta()
    const here = router.currentRoute.value
    if (!here.meta.public) router.replace({ name: 'login', query: { next: here.fullPath } })
  },
  locale: () => locale.locale,
})

app.use(router)
// Mount after the first navigation resolves, so the layout never renders for a public page.
router.isReady().then(() => app.mount('#app'))
