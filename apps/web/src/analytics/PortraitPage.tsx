/**
 * The student portrait (成长档案) at /students/:id/portrait (staff, parents) and /my/portrait
 * (the student): mastery over time, homework completion, error-notebook progress and the
 * comprehensive-quality records. Clicking a chart point or bar lists the records behind it.
 */
import { useMemo, useState, type ReactNode } from 'react';
import { Card, Col, DatePicker, Drawer, Empty, Row, Select, Space, Spin, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useNavigate, useParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { useSubjects } from '../items/model';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { useApi } from '../shell/useApi';
import { EChart, type ChartOption } from '../learning/EChart';
import { chinaToday, daysBefore, masterySeries, pct, portraitPath, type Portrait } from './portrait-model';
import { QualityPanel } from './QualityPanel';

const MAX_LINES = 8;
const STATUS_COLORS: Record<string, string> = { on_time: '#52c41a', late: '#faad14', missing: '#ff4d4f', pending: '#bfbfbf' };

type Trace = { title: string; body: ReactNode } | null;

/** /my/portrait: the signed-in student's own record. */
export function MyPortraitPage() {
  const { me } = useSession();
  return me ? <PortraitView studentId={me.id} own /> : null;
}

export function PortraitPage() {
  const { id = '' } = useParams();
  return <PortraitView studentId={id} own={false} />;
}

function PortraitView({ studentId, own }: { studentId: string; own: boolean }) {
  const { t, lang } = useI18n();
  const tp = t.portrait;
  const navigate = useNavigate();
  const subjects = useSubjects();
  const [period, setPeriod] = useState(() => ({ from: daysBefore(chinaToday(), 365), to: chinaToday() }));
  const [subject, setSubject] = useState<string | undefined>(undefined);
  const { data, error, loading, reload } = useApi<Portrait>(portraitPath(studentId, { ...period, subject }));
  const [trace, setTrace] = useState<Trace>(null);
  const subjectName = (code: string) => {
    const s = subjects.data?.find((x) => x.code === code);
    return s ? (lang === 'en' ? s.nameEn : s.name) : code;
  };

  const series = useMemo(() => (data ? masterySeries(data, MAX_LINES) : []), [data]);
  const masteryOption = useMemo<ChartOption>(() => {
    // answers minutes apart: pad the time axis so the points do not sit on its edges
    const times = series.flatMap((s) => s.data.map((d) => new Date(d[0]).getTime()));
    const lo = Math.min(...times);
    const hi = Math.max(...times);
    const pad = Math.max(12 * 3600_000, (hi - lo) * 0.05);
    return {
      grid: { left: 44, right: 16, top: 56, bottom: 32 },
      legend: { type: 'scroll', top: 0, data: series.map((s) => s.name) },
      tooltip: { trigger: 'item', valueFormatter: (v) => `${Array.isArray(v) ? v[1] : v}%` },
      xAxis: { type: 'time', min: lo - pad, max: hi + pad, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: series.map((s) => ({ type: 'line', name: s.name, showSymbol: true, symbolSize: 7, data: s.data })),
    };
  }, [series]);

  const hw = data?.homework;
  const hwOption = useMemo<ChartOption>(() => {
    const months = hw?.byMonth.map((m) => m.month) ?? [];
    const bar = (key: 'onTime' | 'late' | 'missing' | 'pending', status: string, name: string) => ({
      type: 'bar' as const,
      stack: 'hw',
      name,
      id: status,
      itemStyle: { color: STATUS_COLORS[status] },
      data: hw?.byMonth.map((m) => m[key]) ?? [],
    });
    return {
      grid: { left: 36, right: 16, top: 40, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', minInterval: 1 },
      series: [bar('onTime', 'on_time', tp.homework.onTime), bar('late', 'late', tp.homework.late), bar('missing', 'missing', tp.homework.missing), bar('pending', 'pending', tp.homework.pending)],
    };
  }, [hw, tp]);

  const nb = data?.notebook;
  const nbOption = useMemo<ChartOption>(
    () => ({
      grid: { left: 36, right: 16, top: 40, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: nb?.byMonth.map((m) => m.month) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', id: 'added', name: tp.notebook.added, itemStyle: { color: '#ff7a45' }, data: nb?.byMonth.map((m) => m.added) ?? [] },
        { type: 'bar', id: 'mastered', name: tp.notebook.mastered, itemStyle: { color: '#52c41a' }, data: nb?.byMonth.map((m) => m.mastered) ?? [] },
      ],
    }),
    [nb, tp],
  );

  if (error) return <ApiErrorView error={error} />;

  const monthOf = (iso: string) => new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 7);
  const homeworkRows = (title: string, rows: Portrait['homework']['assignments']) =>
    setTrace({
      title: tp.homework.rowsOf(title),
      body: (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={rows}
          data-testid="trace-homework"
          columns={[
            { title: tp.homework.titleCol, dataIndex: 'title' },
            { title: tp.subject, dataIndex: 'subject', render: subjectName },
            { title: tp.homework.due, dataIndex: 'dueAt', render: (v: string) => formatTime(v, lang) },
            { title: tp.homework.submittedAt, dataIndex: 'submittedAt', render: (v: string | null) => formatTime(v, lang) || '—' },
            { title: tp.homework.score, render: (_: unknown, r) => (r.score === null ? '—' : `${r.score} / ${r.maxScore}`) },
            { title: '', dataIndex: 'status', render: (s: string) => <Tag color={STATUS_COLORS[s]}>{tp.homework.status[s]}</Tag> },
          ]}
        />
      ),
    });
  const notebookRows = (title: string, rows: Portrait['notebook']['entries']) =>
    setTrace({
      title: tp.notebook.rowsOf(title),
      body: (
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={rows}
          data-testid="trace-notebook"
          columns={[
            { title: tp.notebook.stem, dataIndex: 'stem', ellipsis: true },
            { title: tp.notebook.kps, dataIndex: 'knowledgePoints', render: (k: string[]) => k.join('、') },
            { title: tp.notebook.addedAt, dataIndex: 'addedAt', render: (v: string) => formatTime(v, lang) },
            { title: '', dataIndex: 'status', render: (s: string) => <Tag color={s === 'mastered' ? 'green' : 'orange'}>{tp.notebook.status[s]}</Tag> },
          ]}
        />
      ),
    });

  const title = own ? tp.myTitle : data ? `${data.student.name} · ${tp.title}` : tp.title;
  return (
    <Spin spinning={loading}>
      <PageHeader
        onBack={own ? undefined : () => navigate(-1)}
        title={title}
        subtitle={data?.student.className}
        extra={
          <Space wrap>
            <Typography.Text type="secondary">{tp.period}</Typography.Text>
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(period.from), dayjs(period.to)]}
              onChange={(v) => v?.[0] && v[1] && setPeriod({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })}
              data-testid="portrait-period"
            />
            <Select
              style={{ width: 140 }}
              value={subject ?? ''}
              onChange={(v) => setSubject(v || undefined)}
              options={[{ value: '', label: tp.allSubjects }, ...(subjects.data ?? []).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))]}
              data-testid="portrait-subject"
            />
          </Space>
        }
      />
      {data && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Card title={tp.mastery.title} data-testid="portrait-mastery">
            {series.length ? (
              <EChart
                option={masteryOption}
                height={320}
                testId="portrait-mastery-chart"
                ariaLabel={tp.mastery.title}
                onClick={(e) => {
                  const s = series[e.seriesIndex ?? -1];
                  if (!s) return;
                  setTrace({
                    title: tp.mastery.trendOf(s.name),
                    body: (
                      <Table
                        size="small"
                        rowKey={(r) => r[0]}
                        pagination={false}
                        dataSource={s.data}
                        columns={[
                          { title: tp.mastery.at, render: (_: unknown, r) => formatTime(r[0], lang) },
                          { title: tp.mastery.now, render: (_: unknown, r) => `${r[1]}%` },
                        ]}
                      />
                    ),
                  });
                }}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tp.mastery.empty} />
            )}
            {data.mastery.points.length > 0 && (
              <Table
                size="small"
                rowKey={(r) => `${r.subject}|${r.code}`}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                dataSource={[...data.mastery.points].sort((a, b) => a.pKnow - b.pKnow)}
                data-testid="portrait-mastery-table"
                style={{ marginTop: 16 }}
                columns={[
                  { title: tp.subject, dataIndex: 'subject', render: subjectName },
                  { title: tp.mastery.point, render: (_: unknown, r) => `${r.name}（${r.code}）` },
                  { title: tp.mastery.now, dataIndex: 'pKnow', render: (v: number) => pct(v) },
                  { title: tp.mastery.observations, dataIndex: 'observations' },
                ]}
              />
            )}
          </Card>
          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card title={tp.homework.title} data-testid="portrait-homework">
                <Space size="large" wrap style={{ marginBottom: 8 }}>
                  {(['assigned', 'onTime', 'late', 'missing'] as const).map((k) => (
                    <a key={k} onClick={() => homeworkRows(tp.homework[k], k === 'assigned' ? data.homework.assignments : data.homework.assignments.filter((a) => a.status === { onTime: 'on_time', late: 'late', missing: 'missing' }[k]))}>
                      <Statistic title={tp.homework[k]} value={data.homework.totals[k]} />
                    </a>
                  ))}
                </Space>
                <EChart
                  option={hwOption}
                  height={240}
                  testId="portrait-homework-chart"
                  ariaLabel={tp.homework.title}
                  onClick={(e) => {
                    const month = String(e.name);
                    const status = String(e.seriesId);
                    homeworkRows(`${month} ${tp.homework.status[status]}`, data.homework.assignments.filter((a) => a.status === status && monthOf(a.dueAt) === month));
                  }}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={tp.notebook.title} data-testid="portrait-notebook">
                <Space size="large" wrap style={{ marginBottom: 8 }}>
                  {(['added', 'mastered', 'open'] as const).map((k) => (
                    <a
                      key={k}
                      onClick={() =>
                        notebookRows(tp.notebook[k], data.notebook.entries.filter((e) => (k === 'added' ? true : k === 'mastered' ? e.status === 'mastered' : e.status === 'open')))
                      }
                    >
                      <Statistic title={tp.notebook[k]} value={data.notebook.totals[k]} />
                    </a>
                  ))}
                </Space>
                <EChart
                  option={nbOption}
                  height={240}
                  testId="portrait-notebook-chart"
                  ariaLabel={tp.notebook.title}
                  onClick={(e) => {
                    const month = String(e.name);
                    const added = e.seriesId === 'added';
                    notebookRows(
                      `${month} ${added ? tp.notebook.added : tp.notebook.mastered}`,
                      data.notebook.entries.filter((x) => (added ? monthOf(x.addedAt) === month : !!x.masteredAt && monthOf(x.masteredAt) === month)),
                    );
                  }}
                />
              </Card>
            </Col>
          </Row>
          <QualityPanel studentId={studentId} records={data.quality.records} counts={data.quality.byDomain} canRecord={data.viewer === 'staff'} onChange={reload} />
        </Space>
      )}
      <Drawer open={!!trace} title={trace?.title} width={720} onClose={() => setTrace(null)} data-testid="portrait-trace">
        {trace?.body}
      </Drawer>
    </Spin>
  );
}
