/**
 * Theme choice (system / light / dark), kept per browser in localStorage. THEME_SCRIPT runs inline in
 * <head> before the first paint, so a dark page never flashes light.
 */
export type ThemeChoice = 'system' | 'light' | 'dark'
export const THEME_KEY = 'dingpan.theme'

export const THEME_SCRIPT = `(function(){try{var c=localStorage.getItem('${THEME_KEY}');var d=c==='dark'||(c!=='light'&&window.matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d)}catch(e){}})()`

export function readTheme(): ThemeChoice {
  try {
    const c = localStorage.getItem(THEME_KEY)
    return c === 'light' || c === 'dark' ? c : 'system'
  } catch {
    return 'system'
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const dark = choice === 'dark' || (choice === 'system' && window.matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.classList.toggle('dark', dark)
}
