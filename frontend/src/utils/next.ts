// The page to return to after logging in: the originally requested path with its query.

/** safeNext accepts only a same-origin path ("/dashboard?year=2022"), never "//host" or a URL. */
export function safeNext(next: unknown, fallback = '/dashboard'): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback
  if (next.startsWith('/login')) return fallback
  return next
}
