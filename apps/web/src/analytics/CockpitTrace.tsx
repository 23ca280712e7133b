/**
 * The drawer with the rows behind a cockpit figure, as the server returns them for this viewer:
 * counts per class, per assignment and week, or per week and weeks used — never a person.
 */
import { Alert, Descriptions, Drawer, Skeleton, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../i18n';
import { ApiErrorView } from '../shell/ApiErrorView';
import { useApi } from '../shell/useApi';
import { useSession } from '../shell/session';
import { pct, tracePath, type CockpitFilter, type CockpitTraceTarget, type TraceData } from './cockpit-model';

type Cell = string | number | boolean | null;

export function CockpitTrace(props: { filter: CockpitFilter; target: CockpitTraceTarget | null; title: string; onClose(): void }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  // Region admins open the exam report behind a knowledge-point cell (aggregates only); researchers do not get reports.
  const reports = !!me?.roles.some((r) => ['county_admin', 'city_admin', 'province_admin'].includes(r.role));
  const trace = useApi<TraceData>(props.target ? tracePath(props.filter, props.target) : null);
  const show = (key: string, v: Cell, row?: Record<string, Cell>) => {
    if (v === null) return <Typography.Text type="secondary">—</Typography.Text>;
    if (key === 'title' && reports && typeof row?.assignmentId === 'string') return <Link to={`/assignments/${row.assignmentId}/report`}>{String(v)}</Link>;
    if (typeof v === 'boolean') return v ? <Tag color="green">{t.cockpit.regularYes}</Tag> : <Tag>{t.cockpit.regularNo}</Tag>;
    if (key === 'rate') return `${pct(v as number)}%`;
    if (key === 'kind') return t.cockpit.traceKinds[String(v)] ?? String(v);
    return v;
  };
  const d = trace.data;
  return (
    <Drawer open={!!props.target} onClose={props.onClose} width={640} title={props.title} destroyOnHidden data-testid="cockpit-trace">
      {trace.error ? (
        <ApiErrorView error={trace.error} />
      ) : !d ? (
        <Skeleton active />
      ) : (
        <>
          <Descriptions size="small" column={3} style={{ marginBottom: 12 }}>
            {Object.entries(d.total).map(([k, v]) => (
              <Descriptions.Item key={k} label={t.cockpit.columns[k] ?? k}>
                {show(k, v)}
              </Descriptions.Item>
            ))}
          </Descriptions>
          <Table
            size="small"
            rowKey={(_, i) => String(i)}
            pagination={false}
            dataSource={d.rows}
            columns={d.columns.map((key) => ({ key, title: t.cockpit.columns[key] ?? key, dataIndex: key, render: (v: Cell, row: Record<string, Cell>) => show(key, v, row) }))}
            data-testid="cockpit-trace-rows"
          />
          {d.note && <Alert style={{ marginTop: 12 }} type="info" showIcon message={lang === 'en' ? d.note.en : d.note['zh-CN']} />}
        </>
      )}
    </Drawer>
  );
}
