/**
 * A small Markdown renderer for our own documentation (headings, paragraphs, lists, block quotes,
 * tables, fenced code, inline code and bold). Text is rendered as React text, never as HTML.
 */
import type { ReactNode } from 'react'

function inline(s: string, key: string): ReactNode[] {
  const out: ReactNode[] = []
  const re = /(`[^`]+`|\*\*[^*]+\*\*)/g
  let last = 0
  let m: RegExpExecArray | null
  let i = 0
  while ((m = re.exec(s))) {
    if (m.index > last) out.push(s.slice(last, m.index))
    const tok = m[0]
    out.push(tok.startsWith('`') ? <code key={`${key}-${i++}`} className="rounded bg-slate-100 px-1 text-[0.9em]">{tok.slice(1, -1)}</code> : <strong key={`${key}-${i++}`}>{tok.slice(2, -2)}</strong>)
    last = m.index + tok.length
  }
  if (last < s.length) out.push(s.slice(last))
  return out
}

export function Markdown({ text }: { text: string }) {
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  const blocks: ReactNode[] = []
  let i = 0
  let k = 0
  while (i < lines.length) {
    const line = lines[i]
    const key = `b${k++}`
    if (line.startsWith('```')) {
      const code: string[] = []
      i++
      while (i < lines.length && !lines[i].startsWith('```')) code.push(lines[i++])
      i++
      blocks.push(<pre key={key} className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100"><code>{code.join('\n')}</code></pre>)
      continue
    }
    const h = /^(#{1,3}) (.*)$/.exec(line)
    if (h) {
      const cls = h[1].length === 1 ? 'text-xl font-semibold' : h[1].length === 2 ? 'mt-4 text-lg font-semibold' : 'mt-3 font-semibold'
      blocks.push(h[1].length === 1 ? <h1 key={key} className={cls}>{inline(h[2], key)}</h1> : h[1].length === 2 ? <h2 key={key} className={cls}>{inline(h[2], key)}</h2> : <h3 key={key} className={cls}>{inline(h[2], key)}</h3>)
      i++
      continue
    }
    if (line.startsWith('|')) {
      const rows: string[][] = []
      while (i < lines.length && lines[i].startsWith('|')) {
        const cells = lines[i].trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim())
        if (!cells.every((c) => /^:?-+:?$/.test(c))) rows.push(cells)
        i++
      }
      const [head, ...body] = rows
      blocks.push(
        <div key={key} className="overflow-x-auto">
          <table className="text-sm">
            <thead>
              <tr>{head.map((c, j) => <th key={j} className="border-b border-slate-300 px-2 py-1 text-left">{inline(c, `${key}h${j}`)}</th>)}</tr>
            </thead>
            <tbody>
              {body.map((r, ri) => (
                <tr key={ri}>{r.map((c, j) => <td key={j} className="border-b border-slate-100 px-2 py-1 align-top">{inline(c, `${key}r${ri}c${j}`)}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </div>,
      )
      continue
    }
    if (line.startsWith('>')) {
      const q: string[] = []
      while (i < lines.length && lines[i].startsWith('>')) q.push(lines[i++].replace(/^> ?/, ''))
      blocks.push(<blockquote key={key} className="border-l-4 border-amber-400 bg-amber-50 px-3 py-2 text-sm">{inline(q.join(' '), key)}</blockquote>)
      continue
    }
    if (/^(\d+\.|-) /.test(line)) {
      const ordered = /^\d+\./.test(line)
      const items: string[][] = []
      while (i < lines.length && (/^(\d+\.|-) /.test(lines[i]) || (/^ {2,}\S/.test(lines[i]) && items.length) || (lines[i] === '' && /^ {2,}\S/.test(lines[i + 1] ?? '') && items.length))) {
        if (/^(\d+\.|-) /.test(lines[i])) items.push([lines[i].replace(/^(\d+\.|-) /, '')])
        else items[items.length - 1].push(lines[i].trim())
        i++
        // a fenced block inside an item
        if (i < lines.length && /^ {2,}```/.test(lines[i])) {
          const code: string[] = []
          const indent = new RegExp(`^ {0,${lines[i].length - lines[i].trimStart().length}}`)
          i++
          while (i < lines.length && !/^ {2,}```/.test(lines[i])) code.push(lines[i++].replace(indent, ''))
          i++
          items[items.length - 1].push(`\u0000${code.join('\n')}`)
        }
      }
      const li = items.map((parts, j) => (
        <li key={j}>
          {parts.map((p, pi) => (p.startsWith('\u0000') ? <pre key={pi} className="my-1 overflow-x-auto rounded bg-slate-900 p-2 text-xs text-slate-100"><code>{p.slice(1)}</code></pre> : <span key={pi}>{inline(p, `${key}-${j}-${pi}`)} </span>))}
        </li>
      ))
      blocks.push(ordered ? <ol key={key} className="list-decimal space-y-1 pl-6 text-sm">{li}</ol> : <ul key={key} className="list-disc space-y-1 pl-6 text-sm">{li}</ul>)
      continue
    }
    if (line.trim() === '') {
      i++
      continue
    }
    const para: string[] = []
    while (i < lines.length && lines[i].trim() !== '' && !/^(#|```|\||>|-\s|\d+\.\s)/.test(lines[i])) para.push(lines[i++])
    blocks.push(<p key={key} className="text-sm leading-relaxed">{inline(para.join(' '), key)}</p>)
  }
  return <>{blocks}</>
}
