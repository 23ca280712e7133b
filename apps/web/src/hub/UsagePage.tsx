/**
 * /hub/usage (用量与配额): calls, tokens, cost and latency for a date range (default: the last 30
 * days), optionally for one school — KPI cards, tokens per day stacked by model with the calls as a
 * line, the breakdown by school — and the quotas with their live use.
 */
import { useMemo } from 'react';
import { Alert, Card, Col, DatePicker, Empty, Progress, Row, Space, Table, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { EChart, esc, type ChartOption } from '../learning/EChart';
import { Kpis, ScopeSingleSelect, rowProps, useScopes } from './common';
import { QuotasSection } from './QuotasSection';
import { chinaToday, fenToYuan, formatCompact, formatInt, formatMs, usageSeries, type Usage } from './model';

const DAY = 'YYYY-MM-DD';
const PALETTE = ['#1677ff', '#13c2c2', '#722ed1', '#fa8c16', '#eb2f96', '#52c41a', '#2f54eb', '#faad14', '#a0d911', '#f5222d'];

export function UsagePage() {
  const { t, lang } = useI18n();
  const [params, setParams] = useSearchParams();
  const today = dayjs(chinaToday());
  const from = params.get('from') ?? today.subtract(29, 'day').format(DAY);
  const to = params.get('to') ?? today.format(DAY);
  const schoolId = params.get('schoolId') ?? undefined;
  const usage = useApi<Usage>(`/api/hub/usage${query({ from, to, schoolId })}`);
  const scopes = useScopes();

  const set = (next: Record<string, string | null>) =>
    setParams((p) => {
      const n = new URLSearchParams(p);
      for (const [k, v] of Object.entries(next)) {
        if (v) n.set(k, v);
        else n.delete(k);
      }
      return n;
    });

  const u = usage.data;
  const series = useMemo(() => (u ? usageSeries(u) : null), [u]);
  const option = useMemo<ChartOption | null>(() => {
    if (!series) return null;
    const callsName = t.hub.usage.chartCalls;
    return {
      color: PALETTE,
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (ps: unknown) => {
          const items = (Array.isArray(ps) ? ps : [ps]) as { seriesName: string; value: number; marker: string; axisValue: string }[];
          const head = items[0] ? `<b>${esc(items[0].axisValue)}</b>` : '';
          const rows = items.filter((p) => p.value > 0 || p.seriesName === callsName).map((p) => `${p.marker}${esc(p.seriesName)}：${formatInt(p.value, lang)}`);
          return [head, ...rows].join('<br/>');
        },
      },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 64, right: 56, top: 44, bottom: series.days.length > 45 ? 64 : 32 },
      xAxis: { type: 'category', data: series.days, axisLabel: { formatter: (d: string) => d.slice(5) } },
      yAxis: [
        { type: 'value', name: 'tokens', axisLabel: { formatter: (v: number) => formatCompact(v, lang) } },
        { type: 'value', name: callsName, splitLine: { show: false }, minInterval: 1 },
      ],
      dataZoom: series.days.length > 45 ? [{ type: 'slider', bottom: 8, height: 20 }] : [],
      series: [
        ...series.models.map((m) => ({ type: 'bar' as const, name: m, stack: 'tokens', barMaxWidth: 28, emphasis: { focus: 'series' as const }, data: series.tokens[m]! })),
        { type: 'line' as const, name: callsName, yAxisIndex: 1, smooth: true, symbol: 'circle', symbolSize: 5, lineStyle: { width: 2, color: '#262626' }, itemStyle: { color: '#262626' }, data: series.calls },
      ],
    };
  }, [series, lang, t]);

  if (usage.error?.status === 403) return <ApiErrorView error={usage.error} />;

  const range: [Dayjs, Dayjs] = [dayjs(from), dayjs(to)];
  const tokens = u ? u.totals.promptTokens + u.totals.completionTokens : 0;
  const blocked = series ? series.blocked.reduce((a, b) => a + b, 0) : 0;
  const errors = series ? series.errors.reduce((a, b) => a + b, 0) : 0;
  const multiSchool = (scopes.data?.schools.length ?? 0) > 1;
  const bySchoolTotal = (u?.bySchool ?? []).reduce((s, r) => s + r.tokens, 0);

  return (
    <>
      <PageHeader title={t.hub.usage.title} subtitle={t.hub.usage.subtitle} />
      <Card style={{ marginBottom: 16 }}>
        <div className="zj-hub-filter">
          <Space>
            <Typography.Text type="secondary">{t.hub.usage.range}</Typography.Text>
            <DatePicker.RangePicker
              value={range}
              allowClear={false}
              disabledDate={(d) => d.isAfter(today.endOf('day'))}
              presets={[
                { label: t.hub.usage.presets.last7, value: [today.subtract(6, 'day'), today] },
                { label: t.hub.usage.presets.last30, value: [today.subtract(29, 'day'), today] },
                { label: t.hub.usage.presets.thisMonth, value: [today.startOf('month'), today] },
                { label: t.hub.usage.presets.lastMonth, value: [today.subtract(1, 'month').startOf('month'), today.subtract(1, 'month').endOf('month').startOf('day')] },
              ]}
              onChange={(v) => v?.[0] && v[1] && set({ from: v[0].format(DAY), to: v[1].format(DAY) })}
              data-testid="hub-usage-range"
            />
          </Space>
          {multiSchool && (
            <ScopeSingleSelect
              kind="school"
              scopes={scopes.data}
              value={schoolId ?? null}
              onChange={(v) => set({ schoolId: v })}
              allowClear
              placeholder={t.hub.usage.allSchools}
              style={{ width: 280 }}
              testId="hub-usage-school"
            />
          )}
        </div>
      </Card>
      {usage.error && <Alert type="error" showIcon message={errorText(usage.error, t)} style={{ marginBottom: 16 }} />}
      <Kpis
        items={[
          { key: 'calls', title: t.hub.usage.calls, value: u ? formatInt(u.totals.calls, lang) : '–', raw: u?.totals.calls, extra: u ? t.hub.usage.blockedErrors(blocked, errors) : undefined },
          {
            key: 'tokens',
            title: t.hub.usage.tokens,
            value: u ? formatCompact(tokens, lang) : '–',
            raw: u ? tokens : undefined,
            extra: u ? t.hub.usage.tokensSplit(formatCompact(u.totals.promptTokens, lang), formatCompact(u.totals.completionTokens, lang)) : undefined,
          },
          // below 1 元 two decimals would round a real cost to 0.00
          { key: 'cost', title: t.hub.usage.cost, value: u ? fenToYuan(u.totals.costFen, lang, u.totals.costFen > 0 && u.totals.costFen < 100 ? 4 : 2) : '–', raw: u?.totals.costFen },
          { key: 'p50', title: t.hub.usage.p50, value: u ? formatMs(u.totals.p50LatencyMs) : '–', raw: u?.totals.p50LatencyMs ?? '' },
          { key: 'p95', title: t.hub.usage.p95, value: u ? formatMs(u.totals.p95LatencyMs) : '–', raw: u?.totals.p95LatencyMs ?? '' },
        ]}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={15}>
          <Card title={t.hub.usage.chartTitle} size="small" loading={!u && !usage.error}>
            {series && option && (series.models.length === 0 ? (
              <Empty description={t.hub.usage.chartEmpty} data-testid="hub-usage-empty" style={{ padding: '80px 0' }} />
            ) : (
              <EChart
                option={option}
                height={360}
                testId="hub-usage-chart"
                ariaLabel={t.hub.usage.chartTitle}
                data={{ days: series.days.length, models: series.models.join(','), calls: u?.totals.calls ?? 0, tokens }}
              />
            ))}
          </Card>
        </Col>
        <Col xs={24} xxl={9}>
          <Card title={t.hub.usage.bySchool} size="small" data-testid="hub-usage-by-school">
            <Table
              rowKey={(r) => r.schoolId ?? r.name}
              size="small"
              loading={usage.loading}
              dataSource={u?.bySchool ?? []}
              pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
              onRow={(r) => rowProps({ 'data-testid': 'hub-usage-school-row', 'data-id': r.schoolId, 'data-calls': r.calls })}
              columns={[
                { title: t.hub.school, dataIndex: 'name', ellipsis: true },
                { title: t.hub.usage.calls, dataIndex: 'calls', align: 'right', width: 80, sorter: (a, b) => a.calls - b.calls, render: (n: number) => <span className="zj-hub-num">{formatInt(n, lang)}</span> },
                {
                  title: 'tokens',
                  dataIndex: 'tokens',
                  align: 'right',
                  width: 130,
                  defaultSortOrder: 'descend',
                  sorter: (a, b) => a.tokens - b.tokens,
                  render: (n: number) => (
                    <div>
                      <span className="zj-hub-num">{formatCompact(n, lang)}</span>
                      <Progress percent={bySchoolTotal ? Math.round((n / bySchoolTotal) * 100) : 0} size="small" showInfo={false} />
                    </div>
                  ),
                },
                { title: t.hub.cost, dataIndex: 'costFen', align: 'right', width: 100, sorter: (a, b) => a.costFen - b.costFen, render: (f: number) => <span className="zj-hub-num">{fenToYuan(f, lang)}</span> },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <QuotasSection />
    </>
  );
}
