/**
 * The teaching check-up (教学体检报告) at /checkup: a teacher sees their own, a school admin picks
 * a teacher of the school. Period picker, KPI cards, curriculum coverage with the uncovered
 * points, load per week, completion per class, marking turnaround, class score-rate trend and AI
 * use. Clicking a week bar lists the assignments behind it.
 */
import { useMemo, useState } from 'react';
import { Card, Col, DatePicker, Drawer, Empty, Progress, Row, Select, Space, Spin, Statistic, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { Link } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { useSubjects } from '../items/model';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useApi } from '../shell/useApi';
import { EChart, type ChartOption } from '../learning/EChart';
import { checkupPath, chinaToday, daysBefore, pct, type Checkup, type TeacherList } from './portrait-model';

export function CheckupPage() {
  const { t, lang } = useI18n();
  const tc = t.portrait.checkup;
  const subjects = useSubjects();
  const teachers = useApi<TeacherList>('/api/analytics/checkup/teachers');
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const teacherId = picked ?? teachers.data?.[0]?.id;
  const [period, setPeriod] = useState(() => ({ from: daysBefore(chinaToday(), 55), to: chinaToday() }));
  const { data, error, loading } = useApi<Checkup>(teacherId ? checkupPath(teacherId, period) : null);
  const [week, setWeek] = useState<string | null>(null);
  const subjectName = (code: string) => {
    const s = subjects.data?.find((x) => x.code === code);
    return s ? (lang === 'en' ? s.nameEn : s.name) : code;
  };

  const loadOption = useMemo<ChartOption>(
    () => ({
      grid: { left: 36, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: data?.load.byWeek.map((w) => w.week) ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: tc.assignments, itemStyle: { color: '#1677ff' }, data: data?.load.byWeek.map((w) => w.count) ?? [] }],
    }),
    [data, tc],
  );
  const trendOption = useMemo<ChartOption>(() => {
    const weeks = [...new Set(data?.masteryTrend.map((x) => x.week) ?? [])].sort();
    const classes = [...new Map((data?.masteryTrend ?? []).map((x) => [x.classId, x.className])).entries()];
    return {
      grid: { left: 44, right: 16, top: 40, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => `${v}%` },
      xAxis: { type: 'category', data: weeks },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: classes.map(([id, name]) => ({
        type: 'line',
        name,
        connectNulls: true,
        data: weeks.map((w) => {
          const x = data?.masteryTrend.find((m) => m.week === w && m.classId === id);
          return x ? Math.round(x.meanRate * 1000) / 10 : null;
        }),
      })),
    };
  }, [data]);

  if (teachers.error) return <ApiErrorView error={teachers.error} />;
  if (error) return <ApiErrorView error={error} />;
  const weekRows = week ? (data?.load.list ?? []).filter((a) => data?.load.byWeek.find((w) => w.week === week)?.assignmentIds.includes(a.id)) : [];
  const stat = (s: Checkup['turnaround']['marking'], label: string, testId: string) => (
    <Card size="small" title={label} data-testid={testId}>
      <Space size="large">
        <Statistic title={tc.median} value={s.median ?? '—'} precision={s.median === null ? undefined : 2} />
        <Statistic title={tc.p90} value={s.p90 ?? '—'} precision={s.p90 === null ? undefined : 2} />
      </Space>
      <div>
        <Typography.Text type="secondary">{tc.samples(s.n)}</Typography.Text>
      </div>
    </Card>
  );

  return (
    <Spin spinning={loading || teachers.loading}>
      <PageHeader
        title={tc.title}
        subtitle={data?.teacher.name}
        extra={
          <Space wrap>
            {(teachers.data?.length ?? 0) > 1 && (
              <Select
                showSearch
                optionFilterProp="label"
                style={{ width: 160 }}
                placeholder={tc.pickTeacher}
                value={teacherId}
                onChange={setPicked}
                options={teachers.data!.map((x) => ({ value: x.id, label: x.name }))}
                data-testid="checkup-teacher"
              />
            )}
            <Typography.Text type="secondary">{t.portrait.period}</Typography.Text>
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(period.from), dayjs(period.to)]}
              onChange={(v) => v?.[0] && v[1] && setPeriod({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })}
              data-testid="checkup-period"
            />
          </Space>
        }
      />
      {data && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Row gutter={[16, 16]} data-testid="checkup-kpis">
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={tc.assignments} value={data.load.assignments} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={tc.perWeek} value={data.load.perWeek ?? '—'} precision={data.load.perWeek === null ? undefined : 2} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={tc.completion} value={pct(data.completion.share)} suffix={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{`${data.completion.submitted}/${data.completion.expected}`}</Typography.Text>} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={tc.aiMarks} value={data.aiUse.aiMarks} suffix={<Typography.Text type="secondary" style={{ fontSize: 12 }}>{tc.ofMarks(data.aiUse.marks)}</Typography.Text>} />
              </Card>
            </Col>
          </Row>

          <Card title={tc.coverage} data-testid="checkup-coverage">
            {data.coverage.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
            {data.coverage.map((c) => (
              <div key={`${c.subject}|${c.grade}`} style={{ marginBottom: 16 }}>
                <Space align="center" wrap>
                  <Typography.Text strong>{tc.coverageOf(subjectName(c.subject), t.curriculum.gradeName(c.grade))}</Typography.Text>
                  <Progress percent={Math.round((c.share ?? 0) * 100)} style={{ width: 240 }} />
                  <Typography.Text>{`${tc.covered} ${c.covered} / ${c.total}`}</Typography.Text>
                </Space>
                <div style={{ marginTop: 8 }}>
                  <Typography.Text type="secondary">{tc.uncoveredLabel}</Typography.Text>
                  {c.uncovered.length === 0 ? (
                    <Typography.Text type="success">{tc.allCovered}</Typography.Text>
                  ) : (
                    <Space size={[4, 4]} wrap data-testid="checkup-uncovered">
                      {c.uncovered.map((p) => (
                        <Tag key={p.code} title={p.code}>
                          {p.name}
                        </Tag>
                      ))}
                    </Space>
                  )}
                </div>
              </div>
            ))}
          </Card>

          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card title={`${tc.load} · ${tc.byWeek}`} extra={<Typography.Text type="secondary">{`${tc.itemsPer} ${data.load.itemsPerAssignment ?? '—'}`}</Typography.Text>}>
                <EChart option={loadOption} height={240} testId="checkup-load-chart" ariaLabel={tc.byWeek} onClick={(e) => setWeek(String(e.name))} />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={tc.trend}>
                {data.masteryTrend.length ? (
                  <EChart option={trendOption} height={240} testId="checkup-trend-chart" ariaLabel={tc.trend} />
                ) : (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tc.trendEmpty} />
                )}
              </Card>
            </Col>
          </Row>

          <Row gutter={[16, 16]}>
            <Col xs={24} lg={12}>
              <Card title={tc.byClass}>
                <Table
                  size="small"
                  rowKey="classId"
                  pagination={false}
                  dataSource={data.load.byClass}
                  data-testid="checkup-classes"
                  columns={[
                    { title: tc.className, dataIndex: 'className' },
                    { title: tc.assignments, dataIndex: 'assignments' },
                    { title: tc.expected, dataIndex: 'expected' },
                    { title: tc.submittedN, dataIndex: 'submitted' },
                    { title: tc.completion, dataIndex: 'completion', render: (v: number | null) => pct(v) },
                  ]}
                />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card title={tc.turnaround}>
                <Space direction="vertical" style={{ width: '100%' }}>
                  {stat(data.turnaround.marking, tc.marking, 'checkup-marking')}
                  {stat(data.turnaround.review, tc.review, 'checkup-review')}
                </Space>
              </Card>
            </Col>
          </Row>

          <Card title={tc.aiUse} data-testid="checkup-ai">
            <Space size="large" wrap>
              <Statistic title={tc.aiMarks} value={data.aiUse.aiMarks} />
              <Statistic title={tc.reviewed} value={data.aiUse.reviewed} />
              <Statistic title={tc.accepted} value={data.aiUse.accepted} />
              <Statistic title={tc.changed} value={data.aiUse.changed} />
              <Statistic title={tc.pendingReview} value={data.aiUse.pending} />
            </Space>
            <div style={{ marginTop: 8 }}>
              {data.aiUse.engines.map((e) => (
                <Tag key={e.engine}>{`${e.engine} × ${e.count}`}</Tag>
              ))}
            </div>
          </Card>

          <Card title={tc.list}>
            <Table
              size="small"
              rowKey="id"
              dataSource={data.load.list}
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              data-testid="checkup-list"
              columns={[
                { title: t.portrait.homework.titleCol, dataIndex: 'title', render: (v: string, r) => <Link to={`/assignments/${r.id}/report`}>{v}</Link> },
                { title: t.portrait.subject, dataIndex: 'subject', render: subjectName },
                { title: tc.openAt, dataIndex: 'openAt', render: (v: string) => formatTime(v, lang) },
                { title: tc.items, dataIndex: 'items' },
                { title: tc.expected, dataIndex: 'expected' },
                { title: tc.submittedN, dataIndex: 'submitted' },
              ]}
            />
          </Card>
        </Space>
      )}
      <Drawer open={!!week} title={week ? tc.assignmentsOfWeek(week) : ''} width={640} onClose={() => setWeek(null)} data-testid="checkup-trace">
        <Table
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={weekRows}
          columns={[
            { title: t.portrait.homework.titleCol, dataIndex: 'title', render: (v: string, r) => <Link to={`/assignments/${r.id}/report`}>{v}</Link> },
            { title: tc.openAt, dataIndex: 'openAt', render: (v: string) => formatTime(v, lang) },
            { title: tc.items, dataIndex: 'items' },
            { title: tc.submittedN, render: (_: unknown, r) => `${r.submitted}/${r.expected}` },
          ]}
        />
      </Drawer>
    </Spin>
  );
}
