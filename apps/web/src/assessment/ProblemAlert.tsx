/**
 * A failed call as an alert: the server's message (in the UI language) plus what the problem
 * lists: blueprint rows the bank cannot fill, invalid fields, answers in the wrong form.
 */
import type { ReactNode } from 'react';
import { Alert } from 'antd';
import { useI18n } from '../i18n';
import type { ApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';

interface ShortRow {
  row: number;
  wanted: number;
  found: number;
}

/** The blueprint rows a 422 assessment.blueprint_short names. */
export function shortRows(e: ApiError | null | undefined): ShortRow[] {
  if (e?.code !== 'assessment.blueprint_short') return [];
  const rows = e.problem?.rows;
  return Array.isArray(rows) ? (rows as ShortRow[]) : [];
}

export function ProblemAlert(props: { error: ApiError; title: ReactNode; onClose?: () => void; testId?: string }) {
  const { t } = useI18n();
  const { error } = props;
  const p: Record<string, unknown> = error.problem ?? {};
  const lines: string[] = [];
  const short = shortRows(error);
  for (const r of short) lines.push(t.assessment.shortRow(r.row, r.wanted, r.found));
  if (Array.isArray(p.issues)) for (const i of p.issues as { path?: string; message?: string }[]) lines.push([i.path, i.message].filter(Boolean).join(': '));
  if (Array.isArray(p.problems))
    for (const x of p.problems as { position?: number; problem?: string }[]) lines.push(`${x.position ? t.assessment.questionN(x.position) : ''} ${x.problem ?? ''}`.trim());
  const title = short.length ? t.assessment.shortTitle : props.title;
  return (
    <Alert
      type="error"
      showIcon
      closable={!!props.onClose}
      onClose={props.onClose}
      style={{ marginBottom: 16 }}
      message={title}
      data-testid={props.testId ?? 'problem'}
      data-code={error.code}
      description={
        <>
          {short.length === 0 && <div>{errorText(error, t)}</div>}
          {lines.length > 0 && (
            <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
              {lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          )}
          {short.length > 0 && <div style={{ marginTop: 4, color: '#8c8c8c' }}>{t.assessment.shortHint}</div>}
        </>
      }
    />
  );
}
