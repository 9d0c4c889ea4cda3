import type { Metadata, Viewport } from 'next'
import { NextIntlClientProvider } from 'next-intl'
import { getLocale } from 'next-intl/server'
import './globals.css'
import { THEME_SCRIPT } from './_components/browser/theme'

export const metadata: Metadata = {
  title: { default: '盯盘 DingPan', template: '%s · 盯盘' },
  description: 'A-share price monitor and MiniQMT auto-trader',
  icons: { icon: [{ url: '/favicon.ico' }, { url: '/icon.svg', type: 'image/svg+xml' }], apple: '/icon.svg' },
  appleWebApp: { capable: true, title: '盯盘' },
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#0f172a' }

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale()
  return (
    // The theme script sets the dark class before paint, so <html>'s class differs from the server's.
    <html lang={locale === 'zh' ? 'zh-CN' : 'en'} suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <NextIntlClientProvider>{children}</NextIntlClientProvider>
      </body>
    </html>
  )
}
