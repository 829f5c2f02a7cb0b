import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'

// The SPA is embedded in the Go binary from dist/spa; dist/.placeholder is committed and must
// survive a build, so only dist/spa is emptied.
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components are imported on demand; the stylesheet is imported once in main.ts.
    Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: 'src/components.d.ts' }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  define: {
    // vue-i18n: Composition API only, JIT message compilation (no eval, CSP-safe).
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  build: {
    outDir: 'dist/spa',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    // Keep everything inside the binary: no inline data URLs that a strict CSP would need to allow.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { '/api': process.env.FUYI_API || 'http://127.0.0.1:8080' },
  },
})
