import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { i18n } from '@/i18n'
import StateView from './StateView.vue'

const opts = (props: Record<string, unknown>) => ({
  props,
  slots: { default: '<p data-testid="content">rows</p>' },
  global: { plugins: [i18n], directives: { loading: {} } },
})

describe('StateView', () => {
  it('shows the error and emits retry', async () => {
    const w = mount(StateView, opts({ error: 'boom', empty: true }))
    expect(w.find('[data-testid="state-error"]').text()).toContain('boom')
    await w.find('[data-testid="retry"]').trigger('click')
    expect(w.emitted('retry')).toHaveLength(1)
    expect(w.find('[data-testid="content"]').exists()).toBe(false)
  })
  it('shows a skeleton while loading with nothing yet', () => {
    const w = mount(StateView, opts({ loading: true, empty: true }))
    expect(w.find('[data-testid="state-loading"]').exists()).toBe(true)
  })
  it('shows the empty state', () => {
    const w = mount(StateView, opts({ loading: false, empty: true, emptyText: 'nothing here' }))
    expect(w.find('[data-testid="state-empty"]').text()).toContain('nothing here')
  })
  it('shows the content otherwise', () => {
    const w = mount(StateView, opts({ loading: false, empty: false }))
    expect(w.find('[data-testid="content"]').exists()).toBe(true)
  })
})
