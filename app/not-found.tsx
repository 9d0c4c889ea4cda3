import { NotFoundPage } from '@/app/_components/not-found-page'

/** Any address the app does not have: our own page, not Next's English default. */
export default function NotFound() {
  return (
    <main id="main" className="px-3 py-8">
      <NotFoundPage />
    </main>
  )
}
