import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import ListPager from './ListPager.vue'

const mountPager = (props: Record<string, unknown>) =>
  mount(ListPager, { props: { page: 1, pageSize: 20, total: 0, totalExact: true, hasNext: false, ...props }, global: { plugins: [i18n, ElementPlus] } })

// The pager's page buttons (Element Plus renders them as li.number).
const numbers = (w: ReturnType<typeof mountPager>) => w.findAll('li.number').map((li) => li.text())

describe('ListPager', () => {
  it('shows an exact total as a number, without the count button', () => {
    i18n.global.locale.value = 'zh-CN'
    const w = mountPager({ total: 12345, totalExact: true })
    const total = w.find('[data-testid="case-total"]')
    expect(total.text()).toBe('共 12,345 条')
    expect(total.attributes('data-total')).toBe('12345')
    expect(total.attributes('data-exact')).toBe('true')
    expect(w.find('[data-testid="count-exact"]').exists()).toBe(false)
    expect(numbers(w).at(-1)).toBe('618')
  })
  it('shows a capped total as "at least" and asks for the exact count', async () => {
    i18n.global.locale.value = 'zh-CN'
    const w = mountPager({ total: 10000, totalExact: false, hasNext: true })
    expect(w.find('[data-testid="case-total"]').text()).toContain('共 10,000+ 条')
    expect(w.find('[data-testid="case-total"]').attributes('data-exact')).toBe('false')
    await w.find('[data-testid="count-exact"]').trigger('click')
    expect(w.emitted('countExact')).toHaveLength(1)
    i18n.global.locale.value = 'en'
    await w.vm.$nextTick()
    expect(w.find('[data-testid="case-total"]').text()).toContain('10,000+ in total')
    i18n.global.locale.value = 'zh-CN'
  })
  it('follows the cursor for the next page and jumps by number otherwise', async () => {
    const w = mountPager({ page: 3, total: 200, totalExact: true, hasNext: true })
    await w.find('button.btn-next').trigger('click')
    expect(w.emitted('next')).toHaveLength(1)
    expect(w.emitted('page')).toBeUndefined()
    await w.find('button.btn-prev').trigger('click')
    expect(w.emitted('page')).toEqual([[2]])
    const five = w.findAll('li.number').find((li) => li.text() === '5')!
    await five.trigger('click')
    expect(w.emitted('page')).toEqual([[2], [5]])
  })
  it('without a cursor, the next page is a page number', async () => {
    const w = mountPager({ page: 3, total: 200, totalExact: true, hasNext: false })
    await w.find('button.btn-next').trigger('click')
    expect(w.emitted('next')).toBeUndefined()
    expect(w.emitted('page')).toEqual([[4]])
  })
  it('past the counted pages still offers the next page while there is one', async () => {
    const w = mountPager({ page: 500, total: 10000, totalExact: false, hasNext: true })
    expect(numbers(w).at(-1)).toBe('501')
    expect(w.find('button.btn-next').attributes('disabled')).toBeUndefined()
    await w.find('button.btn-next').trigger('click')
    expect(w.emitted('next')).toHaveLength(1)
    const last = mountPager({ page: 612, total: 10000, totalExact: false, hasNext: false })
    expect(numbers(last).at(-1)).toBe('612')
    expect(last.find('button.btn-next').attributes('disabled')).toBeDefined()
  })
  it('changes the page size', async () => {
    const w = mountPager({ total: 100, totalExact: true })
    ;(w.findComponent({ name: 'ElPagination' }).vm as unknown as { $emit: (e: string, v: number) => void }).$emit('size-change', 50)
    expect(w.emitted('size')).toEqual([[50]])
  })
})
