import type { MetadataRoute } from 'next'

/** Web app manifest (/manifest.webmanifest): DingPan installs on a phone's home screen as its own window. */
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: '盯盘 DingPan',
    short_name: '盯盘',
    description: 'A-share price monitor and MiniQMT auto-trader',
    lang: 'zh-CN',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    background_color: '#f8fafc',
    theme_color: '#0f172a',
    icons: [
      { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: '/icon.svg', sizes: '512x512', type: 'image/svg+xml', purpose: 'maskable' },
    ],
  }
}
