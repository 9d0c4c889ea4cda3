import fs from 'node:fs'
import path from 'node:path'
import type { Metadata } from 'next'
import Link from 'next/link'
import { getTranslations } from 'next-intl/server'
import { pageUser } from '@/lib/auth/session'
import { Markdown } from './markdown'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: '实盘接入指南 / Real-money setup' }

/** docs/miniqmt-setup.md, read from the installation and rendered (the same text as in the repository). */
export default async function MiniqmtGuidePage() {
  await pageUser()
  const t = await getTranslations('guide')
  let text: string | null = null
  try {
    text = fs.readFileSync(path.join(process.cwd(), 'docs', 'miniqmt-setup.md'), 'utf8')
  } catch {
    text = null
  }
  return (
    <article className="max-w-4xl space-y-3" data-testid="miniqmt-guide">
      <p className="text-sm">
        <Link href="/settings" className="text-sky-800 hover:underline">
          {t('back')}
        </Link>
      </p>
      {text ? <Markdown text={text} /> : <p role="alert">{t('missing')}</p>}
    </article>
  )
}
