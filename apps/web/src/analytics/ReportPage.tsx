/**
 * /assignments/:id/report: the homework/exam report — summary figures, the score distribution,
 * per-question statistics with flags and distractors, knowledge-point mastery, students to follow
 * up, the comparison with the school and county (aggregates only), and the PDF and Excel exports.
 * Every figure traces to the data behind it within what the server sent for this viewer.
 */
import { useState, type ReactNode } from 'react';
import { Alert, App, Button, Card, Col, Empty, Row, Skeleton, Space, Statistic, Table, Tag, Typography } from 'antd';
import { FileExcelOutlined, FilePdfOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import type { Problem } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { MasteryBars, ScoreHistogram } from './ReportCharts';
import { ItemTable } from './ReportItems';
import { ReportTrace } from './ReportTrace';
import { decimal, passRate, percent, type Group, type Report, type Trace } from './report-model';
import './report.css';

export function ReportPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const report = useApi<Report>(`/api/analytics/assignments/${id}/report`);
  const [trace, setTrace] = useState<Trace | null>(null);
  const [busy, setBusy] = useState<'pdf' | 'xlsx' | null>(null);

  /** Fetches an export and saves it; a refusal (e.g. no Chinese font on the server) is shown, not saved. */
  const download = async (kind: 'pdf' | 'xlsx') => {
    setBusy(kind);
    try {
      const res = await fetch(`/api/analytics/assignments/${id}/report.${kind}`, { credentials: 'same-origin', headers: { 'Accept-Language': lang } });
      if (!res.ok) {
        const problem = (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as Problem) : null;
        message.error(problem?.detail ?? t.common.unknownError);
        return;
      }
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `${report.data?.assignment.title ?? 'report'}-${t.report.fileSuffix}.${kind}`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch {
      message.error(t.common.networkError);
    } finally {
      setBusy(null);
    }
  };

  if (report.error) return <ApiErrorView error={report.error} />;
  if (!report.data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 12 }} />
      </Card>
    );
  const r = report.data;
  const s = r.summary;
  const threshold = Math.round(r.followUp.threshold * 100);

  const header = (
    <PageHeader
      title={r.assignment.title}
      subtitle={`${t.assessment.kinds[r.assignment.kind] ?? r.assignment.kind} · ${r.assignment.subjectName} · ${t.items.gradeName(r.assignment.grade)} · ${r.scope.classes.map((c) => c.name).join('、')}`}
      onBack={() => (r.scope.viewer === 'teacher' ? navigate(`/assignments/${id}`) : navigate(-1))}
      extra={
        <Space wrap>
          <Button type="primary" icon={<FilePdfOutlined />} loading={busy === 'pdf'} onClick={() => download('pdf')} data-testid="download-pdf">
            {t.report.downloadPdf}
          </Button>
          <Button icon={<FileExcelOutlined />} loading={busy === 'xlsx'} onClick={() => download('xlsx')} data-testid="download-xlsx">
            {t.report.downloadXlsx}
          </Button>
        </Space>
      }
    />
  );
  if (s.students === 0)
    return (
      <>
        {header}
        <Card>
          <Empty description={t.report.noData} />
        </Card>
      </>
    );

  const kpis: { key: string; title: string; value: ReactNode; trace: Trace }[] = [
    { key: 'students', title: t.report.students, value: s.students, trace: { kind: 'students' } },
    { key: 'mean', title: t.report.mean, value: `${decimal(s.mean)} / ${decimal(s.maxScore)}`, trace: { kind: 'students' } },
    { key: 'rate', title: t.report.meanPercent, value: percent(s.meanPercent), trace: { kind: 'students' } },
    { key: 'pass', title: t.report.passRate(threshold), value: percent(passRate(r)), trace: { kind: 'pass', passed: true } },
    { key: 'median', title: t.report.median, value: decimal(s.median), trace: { kind: 'students' } },
    { key: 'sd', title: t.report.sd, value: decimal(s.sd), trace: { kind: 'students' } },
    { key: 'range', title: t.report.range, value: `${decimal(s.max)} / ${decimal(s.min)}`, trace: { kind: 'students' } },
    { key: 'reliability', title: t.report.reliability, value: `${decimal(r.reliability.alpha, 3)} · ${t.report.sem} ${decimal(r.reliability.sem)}`, trace: { kind: 'students' } },
  ];

  return (
    <div className="zj-report">
      {header}
      {r.scope.viewer === 'admin' && <Alert className="zj-report-block" type="info" showIcon message={t.report.adminView} />}
      <Row gutter={[16, 16]} className="zj-report-block">
        {kpis.map((k) => (
          <Col key={k.key} xs={12} md={6}>
            <Card size="small" hoverable className="zj-report-kpi" data-testid={`kpi-${k.key}`} onClick={() => setTrace(k.trace)}>
              <Statistic title={k.title} value={k.value as string} valueStyle={{ fontSize: 22 }} />
            </Card>
          </Col>
        ))}
      </Row>
      <Typography.Paragraph type="secondary" className="zj-report-hint">
        {t.report.countsHint(s.submissions)}
      </Typography.Paragraph>

      <Card title={t.report.distribution} className="zj-report-block" extra={<Typography.Text type="secondary">{t.report.clickBar}</Typography.Text>}>
        <ScoreHistogram report={r} onTrace={setTrace} />
      </Card>

      <Card title={t.report.itemsTitle} className="zj-report-block">
        <ItemTable items={r.items} onTrace={setTrace} />
        <Typography.Paragraph type="secondary" className="zj-report-hint" style={{ marginTop: 12 }}>
          {t.report.itemsLegend}
        </Typography.Paragraph>
      </Card>

      <Card title={t.report.mastery} className="zj-report-block">
        {r.knowledgePoints.length ? (
          <Row gutter={24}>
            <Col xs={24} lg={12}>
              <MasteryBars report={r} onTrace={setTrace} />
            </Col>
            <Col xs={24} lg={12}>
              <Table
                size="small"
                rowKey="code"
                pagination={false}
                dataSource={r.knowledgePoints}
                data-testid="kp-table"
                rowClassName="zj-clickable-row"
                onRow={(k) => ({ onClick: () => setTrace({ kind: 'kp', code: k.code }) })}
                columns={[
                  { title: t.report.colPoint, dataIndex: 'name', render: (n: string, k) => <span title={k.code}>{n}</span> },
                  { title: t.report.colEarned, width: 110, render: (_, k) => `${decimal(k.earned)} / ${decimal(k.possible)}` },
                  {
                    title: t.report.colShare,
                    dataIndex: 'share',
                    width: 90,
                    align: 'right',
                    render: (x: number | null) => <span className={x !== null && x < r.followUp.threshold ? 'zj-report-negative' : undefined}>{percent(x)}</span>,
                  },
                  { title: t.report.colQuestions, dataIndex: 'positions', width: 100, render: (ps: number[]) => ps.join('、') },
                ]}
              />
            </Col>
          </Row>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.report.noPoints} />
        )}
      </Card>

      <Card title={t.report.followUp} className="zj-report-block" extra={<Tag color="red">{t.report.belowN(threshold, r.followUp.below)}</Tag>}>
        {r.followUp.namesShown ? (
          <Table
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={r.followUp.students}
            data-testid="followup-table"
            locale={{ emptyText: t.report.nobodyBelow }}
            columns={[
              { title: t.report.colStudentNo, dataIndex: 'studentNo', width: 120 },
              { title: t.report.colName, dataIndex: 'name', width: 100 },
              { title: t.report.colClass, dataIndex: 'className', width: 140 },
              { title: t.report.colScore, dataIndex: 'score', width: 80, align: 'right' },
              { title: t.report.colShare, dataIndex: 'percent', width: 90, align: 'right', render: (p: number) => percent(p) },
              {
                title: t.report.colReason,
                dataIndex: 'reason',
                render: (x: 'below_threshold' | 'lowest') => <Tag color={x === 'below_threshold' ? 'red' : 'orange'}>{x === 'below_threshold' ? t.report.reasonBelow(threshold) : t.report.reasonLowest}</Tag>,
              },
            ]}
          />
        ) : (
          <Alert type="info" showIcon message={t.report.namesHidden} />
        )}
      </Card>

      <Card title={t.report.comparison} className="zj-report-block">
        <Table<Group>
          size="small"
          rowKey={(g) => `${g.level}:${g.id}`}
          pagination={false}
          dataSource={r.comparison.groups}
          data-testid="comparison-table"
          rowClassName="zj-clickable-row"
          onRow={(g) => ({ onClick: () => setTrace({ kind: 'group', id: g.id, level: g.level }) })}
          columns={[
            { title: t.report.colLevel, dataIndex: 'level', width: 90, render: (l: Group['level']) => <Tag>{t.report.levels[l]}</Tag> },
            { title: t.report.colGroup, dataIndex: 'name', render: (n: string, g) => (g.own && r.scope.viewer === 'teacher' ? <Space size={4}>{n}<Tag color="blue">{t.report.own}</Tag></Space> : n) },
            { title: t.report.colPeople, dataIndex: 'n', width: 90, align: 'right', render: (n: number | null) => n ?? '—' },
            {
              title: t.report.colShare,
              dataIndex: 'meanPercent',
              width: 220,
              render: (x: number | null, g) =>
                g.suppressed ? <Typography.Text type="secondary">{t.report.suppressed(r.comparison.minGroupSize)}</Typography.Text> : <ShareBar value={x} />,
            },
          ]}
        />
        {r.comparison.note && <Alert style={{ marginTop: 12 }} type="warning" showIcon message={r.comparison.note[lang]} />}
      </Card>

      <ReportTrace report={r} trace={trace} onClose={() => setTrace(null)} />
    </div>
  );
}

function ShareBar({ value }: { value: number | null }) {
  if (value === null) return <>—</>;
  return (
    <div className="zj-report-share">
      <div className="zj-report-share-track">
        <div className="zj-report-share-bar" style={{ width: `${Math.round(value * 100)}%` }} />
      </div>
      <span>{percent(value)}</span>
    </div>
  );
}
