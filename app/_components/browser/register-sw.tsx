'use client'
/**
 * Registers the minimal service worker (public/sw.js) so DingPan can be added to a phone's home
 * screen. The worker caches nothing and never touches API responses. Renders nothing.
 */
import { useEffect } from 'react'

export function RegisterServiceWorker() {
  useEffect(() => {
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined)
  }, [])
  return null
}
