/**
 * /hub/statements (计费账单): one month's bill — totals, the summary per region and the lines per
 * school and model (calls, input/output tokens, cost in 元 to the fen) — and its Excel export.
 */
import { useMemo } from 'react';
import { Alert, Button, Card, Col, DatePicker, Row, Space, Table, Tag, Typography } from 'antd';
import { DownloadOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { Kpis, rowProps } from './common';
import { chinaToday, fenToYuan, formatInt, type Statement, type StatementLine } from './model';

const MONTH = 'YYYY-MM';

export function StatementsPage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const raw = params.get('month');
  const thisMonth = chinaToday().slice(0, 7);
  const month = raw && /^\d{4}-(0[1-9]|1[0-2])$/.test(raw) ? raw : thisMonth;
  const st = useApi<Statement>(`/api/hub/statements${query({ month })}`);
  const s = st.data;

  const regionFilters = useMemo(() => [...new Set((s?.lines ?? []).map((l) => l.regionName))].sort().map((r) => ({ text: r, value: r })), [s]);
  const modelFilters = useMemo(() => [...new Set((s?.lines ?? []).map((l) => l.model))].sort().map((m) => ({ text: m, value: m })), [s]);

  if (st.error?.status === 403) return <ApiErrorView error={st.error} />;
  const yuan = (fen: number) => <span className="zj-hub-num">{fenToYuan(fen, lang)}</span>;
  const int = (n: number) => <span className="zj-hub-num">{formatInt(n, lang)}</span>;
  const lineTotals = (s?.lines ?? []).reduce(
    (a, l) => ({ calls: a.calls + l.calls, prompt: a.prompt + l.promptTokens, completion: a.completion + l.completionTokens }),
    { calls: 0, prompt: 0, completion: 0 },
  );

  return (
    <>
      <PageHeader
        title={t.hub.statements.title}
        subtitle={t.hub.statements.subtitle}
        extra={
          <Space wrap>
            <Typography.Text type="secondary">{t.hub.statements.month}</Typography.Text>
            <DatePicker
              picker="month"
              allowClear={false}
              value={dayjs(`${month}-01`)}
              disabledDate={(d) => d.format(MONTH) > thisMonth}
              onChange={(d) => d && setParams({ month: d.format(MONTH) })}
              data-testid="hub-statement-month"
            />
            <Button
              icon={<DownloadOutlined />}
              href={`/api/hub/statements.xlsx${query({ month })}`}
              download={`statement-${month}.xlsx`}
              data-testid="hub-statement-export"
            >
              {t.hub.statements.export}
            </Button>
          </Space>
        }
      />
      {st.error && <Alert type="error" showIcon message={errorText(st.error, t)} style={{ marginBottom: 16 }} />}
      <Kpis
        items={[
          { key: 'statement-calls', title: t.hub.statements.calls, value: s ? formatInt(s.total.calls, lang) : '–', raw: s?.total.calls },
          { key: 'statement-tokens', title: t.hub.statements.tokens, value: s ? formatInt(s.total.tokens, lang) : '–', raw: s?.total.tokens },
          { key: 'statement-cost', title: t.hub.statements.cost, value: s ? fenToYuan(s.total.costFen, lang) : '–', raw: s?.total.costFen, color: '#1677ff' },
        ]}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={8}>
          <Card title={t.hub.statements.byRegion} size="small" data-testid="hub-statement-regions">
            <Table
              rowKey="regionId"
              size="small"
              loading={st.loading}
              dataSource={s?.byRegion ?? []}
              pagination={false}
              locale={{ emptyText: t.hub.statements.empty }}
              onRow={(r) => rowProps({ 'data-testid': 'hub-statement-region', 'data-id': r.regionId, 'data-cost': r.costFen })}
              columns={[
                {
                  title: t.hub.region,
                  dataIndex: 'name',
                  render: (n: string, r) => (
                    <Space size={4}>
                      <span>{n}</span>
                      <Tag bordered={false}>{t.hub.levels[r.level] ?? r.level}</Tag>
                    </Space>
                  ),
                },
                { title: t.hub.statements.calls, dataIndex: 'calls', align: 'right', render: int },
                { title: t.hub.statements.tokens, dataIndex: 'tokens', align: 'right', render: int },
                { title: t.hub.statements.cost, dataIndex: 'costFen', align: 'right', render: yuan },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={16}>
          <Card title={t.hub.statements.lines} size="small" data-testid="hub-statement-lines">
            <Table<StatementLine>
              rowKey={(l) => `${l.schoolId ?? l.name}|${l.model}`}
              size="small"
              loading={st.loading}
              dataSource={s?.lines ?? []}
              pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
              scroll={{ x: 860 }}
              locale={{ emptyText: t.hub.statements.empty }}
              onRow={(l) => rowProps({ 'data-testid': 'hub-statement-line', 'data-school': l.name, 'data-model': l.model, 'data-cost': l.costFen })}
              columns={[
                { title: t.hub.statements.school, dataIndex: 'name', render: (n: string, l) => (l.schoolId ? n : <Typography.Text type="secondary">{n || t.hub.statements.noSchool}</Typography.Text>) },
                { title: t.hub.statements.region, dataIndex: 'regionName', filters: regionFilters, onFilter: (v, l) => l.regionName === v },
                { title: t.hub.model, dataIndex: 'model', filters: modelFilters, onFilter: (v, l) => l.model === v, render: (m: string) => <Typography.Text code>{m}</Typography.Text> },
                { title: t.hub.statements.calls, dataIndex: 'calls', align: 'right', sorter: (a, b) => a.calls - b.calls, render: int },
                { title: t.hub.statements.promptTokens, dataIndex: 'promptTokens', align: 'right', sorter: (a, b) => a.promptTokens - b.promptTokens, render: int },
                { title: t.hub.statements.completionTokens, dataIndex: 'completionTokens', align: 'right', sorter: (a, b) => a.completionTokens - b.completionTokens, render: int },
                { title: t.hub.statements.cost, dataIndex: 'costFen', align: 'right', sorter: (a, b) => a.costFen - b.costFen, render: yuan },
              ]}
              summary={() =>
                s && s.lines.length > 0 ? (
                  <Table.Summary fixed>
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0} colSpan={3}>
                        <Typography.Text strong>{t.hub.statements.total}</Typography.Text>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={3} align="right">
                        <strong>{int(lineTotals.calls)}</strong>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={4} align="right">
                        <strong>{int(lineTotals.prompt)}</strong>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={5} align="right">
                        <strong>{int(lineTotals.completion)}</strong>
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={6} align="right">
                        <strong data-testid="hub-statement-total" data-fen={s.total.costFen}>
                          {yuan(s.total.costFen)}
                        </strong>
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  </Table.Summary>
                ) : null
              }
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
