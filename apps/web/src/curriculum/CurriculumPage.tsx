/** /curriculum: the knowledge-point graph of a subject, its versions, search, point details and (for editors) the draft. */
import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Empty, Input, Select, Space, Spin, Tabs, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import type { Graph, Subject } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { hasRole, useSession } from '../shell/session';
import { indexGraph, learningPath, searchPoints } from './graph-model';
import { KnowledgeGraphChart, type ChartHighlight } from './KnowledgeGraphChart';
import { POINT_PANEL_WIDTH, PointPanel } from './PointPanel';
import { DraftEditor } from './DraftEditor';

const EDIT_ROLES = ['researcher', 'province_admin', 'sysadmin'] as const;
const MAX_RESULTS = 12;
const FIT_ALL_MATCHES = 6;
const base = (s: string) => `/api/curriculum/subjects/${encodeURIComponent(s)}`;

export function CurriculumPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const editor = hasRole(me, ...EDIT_ROLES);
  const [params, setParams] = useSearchParams();
  const subjects = useApi<Subject[]>('/api/curriculum/subjects');

  const list = subjects.data ?? [];
  const subject = list.find((s) => s.code === params.get('subject')) ?? list[0];
  const versionParam = params.get('version');
  // what to show: a version number, or the draft (editors only); default the latest published
  const version: string | null = !subject
    ? null
    : versionParam === 'draft' && editor && subject.hasDraft
      ? 'draft'
      : versionParam && /^\d+$/.test(versionParam) && Number(versionParam) <= (subject.publishedVersion ?? 0)
        ? versionParam
        : subject.publishedVersion !== null
          ? String(subject.publishedVersion)
          : editor && subject.hasDraft
            ? 'draft'
            : null;
  const isLatest = !!subject && version === String(subject.publishedVersion);
  const graph = useApi<Graph>(subject && version ? `${base(subject.code)}/graph${query({ version })}` : null);
  const g = graph.data;
  const index = useMemo(() => (g ? indexGraph(g) : null), [g]);

  const setView = (next: { subject?: string; version?: string | number | undefined }) => {
    const p = new URLSearchParams(params);
    if (next.subject !== undefined) p.set('subject', next.subject);
    if ('version' in next) {
      if (next.version === undefined) p.delete('version');
      else p.set('version', String(next.version));
    }
    setParams(p, { replace: true });
  };

  // search and selection belong to one graph: reset when it changes
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [focus, setFocus] = useState<ChartHighlight['focus']>(null);
  const graphKey = g ? `${g.subject.code}:${g.versionId}` : '';
  useEffect(() => {
    setSelected((s) => (s && index?.byCode.has(s) ? s : null));
    setFocus(null);
  }, [graphKey, index]);

  const results = useMemo(() => (g && q ? searchPoints(g, q) : []), [g, q]);
  const matches = useMemo(() => new Set(results.map((p) => p.code)), [results]);
  const focusOn = (codes: string[]) => setFocus((f) => ({ codes, token: (f?.token ?? 0) + 1 }));
  const runSearch = (value: string) => {
    setQ(value.trim());
    setSelected(null);
    // focus the first match, together with the others when they are few enough to stay legible
    const hits = g ? searchPoints(g, value) : [];
    if (hits.length) focusOn(hits.slice(0, hits.length <= FIT_ALL_MATCHES ? hits.length : 1).map((p) => p.code));
    else setFocus(null);
  };
  const select = (code: string) => setSelected(code);

  // the learning path: the server's for the latest published version, computed here for others
  const prereq = useApi<{ ancestors: string[]; path: string[] }>(
    subject && selected && isLatest ? `${base(subject.code)}/points/${encodeURIComponent(selected)}/prerequisites` : null,
  );
  const path = useMemo(() => {
    if (!selected || !index) return undefined;
    return isLatest ? prereq.data?.path : learningPath(index, selected);
  }, [selected, index, isLatest, prereq.data]);
  const pathSet = useMemo(() => (path ? new Set(path) : selected ? new Set([selected]) : null), [path, selected]);
  // once the path is known, fit the view to it (left of the detail panel)
  useEffect(() => {
    if (selected && path) setFocus((f) => ({ codes: path, token: (f?.token ?? 0) + 1 }));
  }, [selected, path]);

  if (subjects.error) return <ApiErrorView error={subjects.error} />;
  if (graph.error && graph.error.status !== 404) return <ApiErrorView error={graph.error} />;

  const subjectName = (s: { name: string; nameEn: string }) => (lang === 'en' ? s.nameEn : s.name);
  const versionOptions = subject
    ? [
        ...(editor && subject.hasDraft ? [{ value: 'draft', label: t.curriculum.draft }] : []),
        ...Array.from({ length: subject.publishedVersion ?? 0 }, (_, i) => {
          const n = (subject.publishedVersion ?? 0) - i;
          return { value: String(n), label: i === 0 ? t.curriculum.versionLatest(n) : t.curriculum.versionN(n) };
        }),
      ]
    : [];
  const exportHref = (format: 'json' | 'xlsx') =>
    subject && version ? `${base(subject.code)}/graph/export${query({ format, version })}` : undefined;

  return (
    <>
      <PageHeader
        title={t.curriculum.title}
        subtitle={g ? t.curriculum.subtitle(subjectName(g.subject), g.points.length) : undefined}
        extra={
          <Space wrap>
            <Button icon={<DownloadOutlined />} href={exportHref('json')} download disabled={!g} data-testid="export-json">
              {t.curriculum.exportJson}
            </Button>
            <Button icon={<DownloadOutlined />} href={exportHref('xlsx')} download disabled={!g} data-testid="export-xlsx">
              {t.curriculum.exportXlsx}
            </Button>
          </Space>
        }
      />
      <Card styles={{ body: { paddingTop: 4 } }}>
        {subjects.loading && !subjects.data ? (
          <Spin />
        ) : list.length === 0 ? (
          <Empty />
        ) : (
          <>
            <Tabs
              data-testid="subject-tabs"
              activeKey={subject?.code}
              onChange={(code) => {
                setView({ subject: code, version: undefined });
                setText('');
                setQ('');
              }}
              items={list.map((s) => ({ key: s.code, label: subjectName(s) }))}
              tabBarExtraContent={
                <Space>
                  <Typography.Text type="secondary">{t.curriculum.version}</Typography.Text>
                  <Select
                    style={{ width: 160 }}
                    value={version ?? undefined}
                    onChange={(v) => setView({ version: v })}
                    options={versionOptions}
                    data-testid="version-select"
                  />
                </Space>
              }
            />
            <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: 12, flexWrap: 'wrap', marginBottom: 8 }}>
              <Space wrap align="start">
                <Input.Search
                  allowClear
                  style={{ width: 320 }}
                  placeholder={t.curriculum.searchPlaceholder}
                  value={text}
                  onChange={(e) => {
                    setText(e.target.value);
                    if (!e.target.value) runSearch('');
                  }}
                  onSearch={runSearch}
                  enterButton={t.common.search}
                  data-testid="kp-search"
                />
                {q && (
                  <Space size={[4, 6]} wrap style={{ maxWidth: 820, paddingTop: 4 }} data-testid="kp-search-results">
                    <Typography.Text type="secondary">
                      {results.length ? t.curriculum.searchCount(results.length) : t.curriculum.searchNone}
                    </Typography.Text>
                    {results.slice(0, MAX_RESULTS).map((p) => (
                      <Tag
                        key={p.code}
                        color={p.code === selected ? 'red' : 'blue'}
                        style={{ cursor: 'pointer' }}
                        onClick={() => select(p.code)}
                        data-testid="kp-search-result"
                      >
                        {p.name}
                      </Tag>
                    ))}
                    {results.length > MAX_RESULTS && <Typography.Text type="secondary">…</Typography.Text>}
                  </Space>
                )}
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12, paddingTop: 6 }}>
                {t.curriculum.chartHint}
              </Typography.Text>
            </div>
            {version === null ? (
              <Alert type="info" showIcon message={t.curriculum.noVersion} />
            ) : graph.error ? (
              <ApiErrorView error={graph.error} />
            ) : !g || !index ? (
              <div className="zj-center" style={{ height: 640 }}>
                <Spin />
              </div>
            ) : (
              <>
                <KnowledgeGraphChart
                  graph={g}
                  highlight={{ selected, path: selected ? pathSet : null, matches, focus }}
                  onSelect={select}
                  rightInset={selected ? POINT_PANEL_WIDTH : 0}
                />
                <PointPanel
                  graph={g}
                  index={index}
                  code={selected}
                  path={path}
                  pathError={isLatest ? prereq.error : undefined}
                  pathLocal={!isLatest}
                  onSelect={select}
                  onClose={() => setSelected(null)}
                />
              </>
            )}
          </>
        )}
      </Card>
      {editor && subject && (
        <DraftEditor
          subject={subject}
          onViewDraft={() => setView({ version: 'draft' })}
          onChanged={(show) => {
            subjects.reload();
            graph.reload();
            setView({ version: show });
          }}
        />
      )}
    </>
  );
}
