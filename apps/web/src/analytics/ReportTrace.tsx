/**
 * "The data behind this figure": a drawer that traces a clicked bar, card or row of the report to
 * what it counts. Teachers (whose report carries names) see the students; everyone else sees the
 * counts and the rule that hides the rest, never more than the report they were given.
 */
import { Alert, Descriptions, Drawer, Table, Tag, Typography } from 'antd';
import { useI18n } from '../i18n';
import { OptionTable } from './ReportItems';
import { bandLabel, countOf, decimal, FLAG_COLORS, itemsOfPoint, percent, studentsOf, type Report, type RosterRow, type Trace } from './report-model';

export function ReportTrace({ report, trace, onClose }: { report: Report; trace: Trace | null; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Drawer open={!!trace} onClose={onClose} width={560} title={trace ? titleOf(report, trace, t) : ''} destroyOnHidden>
      <div data-testid="trace-drawer">{trace && <Body report={report} trace={trace} />}</div>
    </Drawer>
  );
}

function titleOf(r: Report, trace: Trace, t: ReturnType<typeof useI18n>['t']): string {
  switch (trace.kind) {
    case 'band':
      return t.report.bandTitle(bandLabel(r.summary.histogram[trace.index] ?? { from: 0, to: 0 }));
    case 'students':
      return t.report.studentsTitle;
    case 'pass':
      return trace.passed ? t.report.passedTitle(Math.round(r.followUp.threshold * 100)) : t.report.failedTitle(Math.round(r.followUp.threshold * 100));
    case 'item':
      return t.report.questionN(trace.position);
    case 'kp':
      return r.knowledgePoints.find((k) => k.code === trace.code)?.name ?? trace.code;
    case 'group':
      return r.comparison.groups.find((g) => g.id === trace.id && g.level === trace.level)?.name ?? '';
  }
}

function Body({ report: r, trace }: { report: Report; trace: Trace }) {
  const { t } = useI18n();
  if (trace.kind === 'item') {
    const it = r.items.find((x) => x.position === trace.position);
    if (!it) return null;
    return (
      <>
        <Typography.Paragraph type="secondary" ellipsis={{ rows: 3, expandable: true }}>
          {it.stem}
        </Typography.Paragraph>
        <Descriptions size="small" column={2} bordered>
          <Descriptions.Item label={t.report.colAnswered}>{it.n}</Descriptions.Item>
          <Descriptions.Item label={t.report.colMean}>{`${decimal(it.mean)} / ${decimal(it.max)}`}</Descriptions.Item>
          <Descriptions.Item label={t.report.colP}>{decimal(it.p)}</Descriptions.Item>
          <Descriptions.Item label={t.report.colD}>{decimal(it.discrimination)}</Descriptions.Item>
          <Descriptions.Item label={t.report.colR}>{decimal(it.pointBiserial)}</Descriptions.Item>
          <Descriptions.Item label={t.report.colAlphaDel}>{decimal(it.alphaIfDeleted, 3)}</Descriptions.Item>
        </Descriptions>
        <div style={{ margin: '12px 0' }}>
          {it.flags.map((f) => (
            <Tag key={f} color={FLAG_COLORS[f]}>
              {t.report.flags[f] ?? f}
            </Tag>
          ))}
        </div>
        {it.options ? <OptionTable item={it} /> : <Typography.Text type="secondary">{t.report.noOptions}</Typography.Text>}
      </>
    );
  }
  if (trace.kind === 'kp') {
    const k = r.knowledgePoints.find((x) => x.code === trace.code);
    if (!k) return null;
    return (
      <>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t.report.colCode}>{k.code}</Descriptions.Item>
          <Descriptions.Item label={t.report.colShare}>{t.report.masteryLine(percent(k.share), k.earned, k.possible)}</Descriptions.Item>
        </Descriptions>
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          {t.report.kpQuestions}
        </Typography.Title>
        <Table
          size="small"
          rowKey="position"
          pagination={false}
          dataSource={itemsOfPoint(r, k.code)}
          columns={[
            { title: t.report.colNo, dataIndex: 'position', width: 70, render: (n: number) => t.report.questionN(n) },
            { title: t.report.colMean, render: (_, it) => `${decimal(it.mean)} / ${decimal(it.max)}` },
            { title: t.report.colP, dataIndex: 'p', render: (p: number | null) => decimal(p) },
          ]}
        />
      </>
    );
  }
  if (trace.kind === 'group') {
    const g = r.comparison.groups.find((x) => x.id === trace.id && x.level === trace.level);
    if (!g) return null;
    return (
      <>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label={t.report.colLevel}>{t.report.levels[g.level]}</Descriptions.Item>
          <Descriptions.Item label={t.report.colPeople}>{g.n ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t.report.colShare}>{percent(g.meanPercent)}</Descriptions.Item>
        </Descriptions>
        <Alert style={{ marginTop: 16 }} type="info" showIcon message={g.suppressed ? t.report.suppressed(r.comparison.minGroupSize) : t.report.aggregatesOnly} />
      </>
    );
  }
  const students = studentsOf(r, trace);
  const count = countOf(r, trace);
  return (
    <>
      <Typography.Paragraph data-testid="trace-count" data-count={count ?? ''}>
        {t.report.peopleN(count ?? 0)}
      </Typography.Paragraph>
      {r.scope.namesShown ? (
        <Table<RosterRow>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={students}
          data-testid="trace-students"
          columns={[
            { title: t.report.colStudentNo, dataIndex: 'studentNo', width: 110 },
            { title: t.report.colName, dataIndex: 'name', width: 90 },
            { title: t.report.colClass, dataIndex: 'className' },
            { title: t.report.colScore, dataIndex: 'score', width: 70, align: 'right' },
            { title: t.report.colShare, dataIndex: 'percent', width: 80, align: 'right', render: (p: number) => percent(p) },
          ]}
        />
      ) : (
        <Alert type="info" showIcon message={t.report.namesHidden} />
      )}
    </>
  );
}
