import type { OutboundMessage } from '@/lib/notify'

export function message(over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: 'n-1',
    title: '浦发银行 600000.SH 触发止损',
    body: '现价 **7.12** 跌破止损价 7.15\n已提交卖出委托 1000 股',
    severity: 'CRITICAL',
    type: 'STOP_LOSS',
    createdAt: new Date('2024-05-06T02:15:03Z'),
    url: 'https://dingpan.example/monitors/1',
    locale: 'zh',
    data: { code: '600000.SH', last: 7.12 },
    ...over,
  }
}
