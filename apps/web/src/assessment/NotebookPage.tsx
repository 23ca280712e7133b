/** /notebook (students): wrong answers to practise again, due ones first, filterable by subject and knowledge point. */
import { useMemo, useState } from 'react';
import { Card, Empty, Segmented, Select, Skeleton, Space } from 'antd';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { subjectName, usePointNames, useSubjects } from '../items/model';
import { NotebookEntryCard } from './NotebookEntryCard';
import type { NotebookEntry } from './model';

export function NotebookPage() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<'open' | 'mastered'>('open');
  const [subject, setSubject] = useState<string>();
  const [kp, setKp] = useState<string>();
  const list = useApi<NotebookEntry[]>(`/api/notebook${query({ status })}`);
  const subjects = useSubjects();
  const [changed, setChanged] = useState<Map<string, NotebookEntry>>(new Map());
  const entries = useMemo(
    () => (list.data ?? []).map((e) => changed.get(e.id) ?? e).filter((e) => e.status === status),
    [list.data, changed, status],
  );
  const kpName = usePointNames(entries.map((e) => e.subject));
  if (list.error) return <ApiErrorView error={list.error} />;

  const subjectCodes = [...new Set(entries.map((e) => e.subject))];
  const bySubject = entries.filter((e) => !subject || e.subject === subject);
  const kpCodes = [...new Set(bySubject.flatMap((e) => e.knowledgePoints.map((k) => `${e.subject}:${k}`)))];
  const shown = bySubject.filter((e) => !kp || e.knowledgePoints.some((k) => `${e.subject}:${k}` === kp));
  const dueNow = entries.filter((e) => new Date(e.dueAt).getTime() <= Date.now()).length;

  return (
    <>
      <PageHeader
        title={t.assessment.notebookTitle}
        subtitle={list.data && status === 'open' ? t.assessment.notebookSubtitle(entries.length, dueNow) : undefined}
      />
      <Card style={{ marginBottom: 16 }}>
        <Space wrap size={[16, 8]}>
          <Segmented
            value={status}
            onChange={(v) => {
              setStatus(v as 'open' | 'mastered');
              setChanged(new Map());
            }}
            options={[
              { value: 'open', label: t.assessment.statusOpen },
              { value: 'mastered', label: t.assessment.statusMastered },
            ]}
            data-testid="notebook-status"
          />
          <Select
            allowClear
            style={{ width: 140 }}
            placeholder={t.assessment.allSubjects}
            value={subject}
            options={subjectCodes.map((c) => ({ value: c, label: subjectName(subjects.data, c, lang) }))}
            onChange={(v?: string) => {
              setSubject(v);
              setKp(undefined);
            }}
            data-testid="notebook-subject"
          />
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            style={{ width: 260 }}
            placeholder={t.assessment.allKps}
            value={kp}
            options={kpCodes.map((c) => {
              const [s, code] = c.split(':') as [string, string];
              return { value: c, label: kpName(s, code) };
            })}
            onChange={(v?: string) => setKp(v)}
            data-testid="notebook-kp"
          />
        </Space>
      </Card>
      {!list.data ? (
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : shown.length === 0 ? (
        <Card>
          <Empty description={t.assessment.notebookEmpty} />
        </Card>
      ) : (
        <div data-testid="notebook-list">
          {shown.map((e) => (
            <NotebookEntryCard
              key={e.id}
              entry={e}
              subjectName={subjectName(subjects.data, e.subject, lang)}
              kpName={(code) => kpName(e.subject, code)}
              onChange={(next) => setChanged((m) => new Map(m).set(next.id, next))}
            />
          ))}
        </div>
      )}
    </>
  );
}
