// Routes: every page is lazy-loaded; meta.roles limits a page to some roles (the server enforces too).
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { Role } from '@/api/types'
import { useSessionStore } from '@/stores/session'
import { safeNext } from '@/utils/next'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    roles?: Role[]
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true, title: 'login.title' } },
  { path: '/', redirect: { name: 'dashboard' } },
  { path: '/dashboard', name: 'dashboard', component: () => import('@/pages/DashboardPage.vue'), meta: { title: 'nav.dashboard' } },
  { path: '/cases', name: 'cases', component: () => import('@/pages/CaseListPage.vue'), meta: { title: 'nav.cases' } },
  {
    path: '/cases/new',
    name: 'case-new',
    component: () => import('@/pages/CaseFormPage.vue'),
    meta: { roles: ['officer', 'manager', 'admin'], title: 'nav.newCase' },
  },
  { path: '/cases/:id', name: 'case', component: () => import('@/pages/CaseDetailPage.vue'), props: true, meta: { title: 'nav.cases' } },
  {
    path: '/cases/:id/edit',
    name: 'case-edit',
    component: () => import('@/pages/CaseFormPage.vue'),
    props: true,
    meta: { roles: ['officer', 'manager', 'admin'], title: 'cases.edit' },
  },
  { path: '/litigations', name: 'litigations', component: () => import('@/pages/LitigationListPage.vue'), meta: { title: 'nav.litigations' } },
  {
    path: '/litigations/:id',
    name: 'litigation',
    component: () => import('@/pages/LitigationDetailPage.vue'),
    props: true,
    meta: { title: 'nav.litigations' },
  },
  {
    path: '/reports',
    name: 'reports',
    component: () => import('@/pages/ReportsPage.vue'),
    meta: { roles: ['reporter', 'manager', 'admin'], title: 'nav.reports' },
  },
  {
    path: '/import',
    name: 'import',
    component: () => import('@/pages/ImportPage.vue'),
    meta: { roles: ['admin', 'manager', 'officer'], title: 'nav.import' },
  },
  { path: '/queues', name: 'queues', component: () => import('@/pages/QueuesPage.vue'), meta: { title: 'nav.queues' } },
  { path: '/followups', name: 'followups', component: () => import('@/pages/FollowupsPage.vue'), meta: { title: 'nav.followups' } },
  { path: '/circular', name: 'circular', component: () => import('@/pages/CircularPage.vue'), meta: { title: 'nav.circular' } },
  { path: '/audit', name: 'audit', component: () => import('@/pages/AuditPage.vue'), meta: { roles: ['admin'], title: 'nav.audit' } },
  { path: '/account', name: 'account', component: () => import('@/pages/AccountPage.vue'), meta: { title: 'nav.account' } },
  { path: '/admin', name: 'admin', component: () => import('@/pages/admin/AdminPage.vue'), meta: { roles: ['admin'], title: 'nav.admin' } },
  { path: '/forbidden', name: 'forbidden', component: () => import('@/pages/ForbiddenPage.vue'), meta: { title: 'common.forbidden' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { title: 'common.notFound' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const session = useSessionStore()
  if (to.meta.public) {
    if (to.name === 'login' && session.loggedIn) return safeNext(to.query.next)
    return true
  }
  if (!session.loggedIn) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (to.meta.roles && !session.hasRole(...to.meta.roles)) return { name: 'forbidden', query: { from: to.fullPath } }
  return true
})
