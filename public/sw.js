// DingPan's service worker: just enough for "add to home screen" and Web Push. It caches nothing: every
// request, API or page, goes to the network exactly as without it (the fetch handler answers nothing), so
// prices, orders and notifications are never served stale.
//  - push: a Web Push message from DingPan's outbox (the WEBPUSH channel; the browser has already
//    decrypted it) is shown as a system notification. Its tag is the one the open tab's alerts use
//    (dingpan-<notification id>), so one event never shows twice.
//  - notificationclick: focuses a DingPan window (or opens one) on the notification's page.
self.addEventListener('install', () => self.skipWaiting())
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()))
// A fetch handler is part of installability on some browsers; it leaves every request to the network.
self.addEventListener('fetch', () => {})

/** A path of this origin to open: the message's url if it is ours (any host: NEXTAUTH_URL may differ), else the notifications page. */
function pathOf(url) {
  try {
    const u = new URL(url, self.location.origin)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return '/notifications'
    return u.pathname + u.search
  } catch {
    return '/notifications'
  }
}

self.addEventListener('push', (event) => {
  let data = {}
  try {
    data = event.data ? event.data.json() : {}
  } catch {
    data = { body: event.data ? event.data.text() : '' }
  }
  const title = typeof data.title === 'string' && data.title ? data.title : 'DingPan 盯盘'
  const options = {
    body: typeof data.body === 'string' ? data.body : '',
    tag: typeof data.tag === 'string' ? data.tag : undefined,
    icon: '/icon.svg',
    badge: '/icon.svg',
    // A stop-loss or a failed order stays on screen until the trader acts on it.
    requireInteraction: data.severity === 'CRITICAL',
    data: { path: pathOf(data.url || '/notifications') },
  }
  event.waitUntil(self.registration.showNotification(title, options))
})

self.addEventListener('notificationclick', (event) => {
  event.notification.close()
  const path = (event.notification.data && event.notification.data.path) || '/notifications'
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (list) => {
      for (const c of list) {
        if (!('focus' in c)) continue
        try {
          const focused = await c.focus()
          const at = new URL(focused.url)
          if (focused.navigate && at.pathname + at.search !== path) await focused.navigate(path)
        } catch {
          // Focus or navigation refused (an uncontrolled window): the window is still there.
        }
        return undefined
      }
      return self.clients.openWindow(path)
    }),
  )
})
