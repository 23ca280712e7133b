/**
 * Renders the rich text of items: LaTeX between $…$ (inline) or $$…$$ (display) through KaTeX,
 * Markdown images ![alt](url) (http(s) or same-origin only), **bold**, pipe tables, blanks {{n}}
 * as "（n）____", and line breaks as written. Everything else is plain React text (escaped); the
 * only HTML injected is KaTeX's own output.
 */
import { Fragment, memo, type ReactNode } from 'react';
import katex from 'katex';
import 'katex/dist/katex.min.css';
import './items.css';

/** KaTeX HTML for a LaTeX source; invalid LaTeX renders as KaTeX's red error text, never throws. */
export function latexHtml(src: string, displayMode: boolean): string {
  try {
    return katex.renderToString(src, { throwOnError: false, displayMode, strict: 'ignore', trust: false });
  } catch {
    return '';
  }
}

export function Latex({ src, display = false }: { src: string; display?: boolean }) {
  const html = latexHtml(src, display);
  if (!html) return <code>{src}</code>;
  return display ? (
    <div className="zj-math-display" dangerouslySetInnerHTML={{ __html: html }} />
  ) : (
    <span className="zj-math" dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/** Image sources we are willing to load: absolute http(s) URLs and same-origin paths. */
export function safeImageUrl(url: string): string | null {
  const u = url.trim();
  if (/^https?:\/\/[^\s"'<>]+$/i.test(u)) return u;
  if (/^\/(?!\/)[^\s"'<>]*$/.test(u)) return u;
  return null;
}

const INLINE = /\$\$([\s\S]+?)\$\$|\\\$|\$([^$]+?)\$|!\[([^\]\n]*)\]\(([^)\s]+)\)|\{\{(\d{1,2})\}\}|\*\*([^*\n]+?)\*\*/g;

export interface BlankRender {
  (id: string): ReactNode;
}

function inline(text: string, keyBase: string, blank?: BlankRender): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let n = 0;
  const key = () => `${keyBase}-${n++}`;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(<Fragment key={key()}>{text.slice(last, at)}</Fragment>);
    last = at + m[0].length;
    if (m[1] !== undefined) out.push(<Latex key={key()} src={m[1]} display />);
    else if (m[0] === '\\$') out.push(<Fragment key={key()}>$</Fragment>);
    else if (m[2] !== undefined) out.push(<Latex key={key()} src={m[2]} />);
    else if (m[4] !== undefined) {
      const src = safeImageUrl(m[4]);
      out.push(
        src ? (
          <img key={key()} className="zj-rt-img" src={src} alt={m[3] ?? ''} loading="lazy" referrerPolicy="no-referrer" />
        ) : (
          <Fragment key={key()}>{m[0]}</Fragment>
        ),
      );
    } else if (m[5] !== undefined) {
      out.push(
        blank ? (
          <Fragment key={key()}>{blank(m[5])}</Fragment>
        ) : (
          <span key={key()} className="zj-blank" data-testid="rt-blank">
            （{m[5]}）
          </span>
        ),
      );
    } else if (m[6] !== undefined) out.push(<strong key={key()}>{inline(m[6], `${keyBase}-b${n}`, blank)}</strong>);
  }
  if (last < text.length) out.push(<Fragment key={key()}>{text.slice(last)}</Fragment>);
  return out;
}

const isTableRow = (l: string) => /^\s*\|.*\|\s*$/.test(l);
const isSeparator = (l: string) => /^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(l);
const cells = (l: string) =>
  l
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/** Splits the text into paragraphs of text and Markdown pipe tables (header row + separator row). */
function blocks(text: string, blank?: BlankRender): ReactNode[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: ReactNode[] = [];
  let buf: string[] = [];
  const flush = () => {
    if (buf.length) {
      out.push(
        <span key={`t${out.length}`} className="zj-rt-text">
          {inline(buf.join('\n'), `t${out.length}`, blank)}
        </span>,
      );
    }
    buf = [];
  };
  for (let i = 0; i < lines.length; i++) {
    if (isTableRow(lines[i]!) && i + 1 < lines.length && isSeparator(lines[i + 1]!)) {
      let j = i + 2;
      while (j < lines.length && isTableRow(lines[j]!)) j++;
      // the newline before the table is part of its block layout
      if (buf.length && buf[buf.length - 1] === '') buf.pop();
      flush();
      const head = cells(lines[i]!);
      const rows = lines.slice(i + 2, j).map(cells);
      const k = `tb${out.length}`;
      out.push(
        <table key={k} className="zj-rt-table">
          <thead>
            <tr>
              {head.map((c, x) => (
                <th key={x}>{inline(c, `${k}h${x}`, blank)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, y) => (
              <tr key={y}>
                {head.map((_, x) => (
                  <td key={x}>{inline(r[x] ?? '', `${k}r${y}c${x}`, blank)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>,
      );
      i = j - 1;
      if (i + 1 < lines.length && lines[i + 1] === '') i++;
    } else buf.push(lines[i]!);
  }
  flush();
  return out;
}

export interface RichTextProps {
  text: string;
  /** Show at most this many lines (list views). */
  clamp?: number;
  /** Custom rendering of {{n}} blanks (e.g. with the accepted answers). */
  blank?: BlankRender;
  className?: string;
  testId?: string;
}

export const RichText = memo(function RichText({ text, clamp, blank, className, testId }: RichTextProps) {
  const cls = ['zj-rt', clamp ? 'zj-rt-clamp' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <div className={cls} style={clamp ? { WebkitLineClamp: clamp } : undefined} data-testid={testId}>
      {blocks(text, blank)}
    </div>
  );
});
