// The session store: the logged-in user and the token pair, kept in localStorage across reloads.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { auth } from '@/api'
import type { Role, TokenPair, User } from '@/api/types'

const SESSION_KEY = 'fuyi.session'

interface Saved {
  access: string
  refresh: string
  user: User
}

function load(): Saved | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY)
    return raw ? (JSON.parse(raw) as Saved) : null
  } catch {
    return null
  }
}

export const useSessionStore = defineStore('session', () => {
  const saved = load()
  const accessToken = ref<string | null>(saved?.access ?? null)
  const refreshToken = ref<string | null>(saved?.refresh ?? null)
  const user = ref<User | null>(saved?.user ?? null)

  const loggedIn = computed(() => !!accessToken.value && !!user.value)
  const role = computed<Role | null>(() => user.value?.role ?? null)
  const organs = computed(() => user.value?.organs ?? [])

  function persist() {
    try {
      if (accessToken.value && refreshToken.value && user.value) {
        localStorage.setItem(
          SESSION_KEY,
          JSON.stringify({ access: accessToken.value, refresh: refreshToken.value, user: user.value }),
        )
      } else localStorage.removeItem(SESSION_KEY)
    } catch {
      /* storage blocked */
    }
  }

  /** setTokens stores a fresh token pair (login or refresh). */
  function setTokens(p: TokenPair) {
    accessToken.value = p.access_token
    refreshToken.value = p.refresh_token
    if (p.user) user.value = p.user
    persist()
  }

  /** clear forgets the session locally (after logout or when the refresh token is refused). */
  function clear() {
    accessToken.value = null
    refreshToken.value = null
    user.value = null
    persist()
  }

  async function login(username: string, password: string) {
    setTokens(await auth.login(username, password))
  }

  async function logout() {
    const rt = refreshToken.value
    try {
      if (rt) await auth.logout(rt)
    } catch {
      /* the local session ends anyway */
    }
    clear()
  }

  /** hasRole reports whether the user has one of the roles. */
  function hasRole(...roles: Role[]) {
    return !!role.value && roles.includes(role.value)
  }

  return { accessToken, refreshToken, user, loggedIn, role, organs, setTokens, clear, login, logout, hasRole }
})
