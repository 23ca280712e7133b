/**
 * /cockpit (区域驾驶舱): for county, city and province administrators and researchers — schools'
 * participation, mastery of schools × knowledge points, and the AI regular-use rate against the
 * pilot targets (80 % per school, 90 % per district). Aggregates only; every figure opens the
 * rows behind it. The region picker offers the viewer's own subtree.
 */
import { useMemo, useState } from 'react';
import { Alert, Card, Col, DatePicker, Empty, Row, Select, Skeleton, Space, Statistic, Table, Tag, Tooltip, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useApi } from '../shell/useApi';
import { AiBars, CockpitHeatmap } from './CockpitCharts';
import { CockpitTrace } from './CockpitTrace';
import { cockpitPath, pct, targetState, type AiFigure, type Cockpit, type CockpitFilter, type CockpitSchool, type CockpitTraceTarget } from './cockpit-model';

const TAG_COLOR = { met: 'green', notMet: 'orange', unknown: 'default' } as const;

interface RegionNode {
  value: string;
  title: string;
  children: RegionNode[];
}

export function CockpitPage() {
  const { t } = useI18n();
  const [filter, setFilter] = useState<CockpitFilter>({});
  const [target, setTarget] = useState<CockpitTraceTarget | null>(null);
  const res = useApi<Cockpit>(cockpitPath(filter));
  const data = res.data;

  const regionTree = useMemo(() => {
    const regions = data?.regions ?? [];
    const ids = new Set(regions.map((r) => r.id));
    const node = (id: string | null): RegionNode[] =>
      regions.filter((r) => (id === null ? !r.parentId || !ids.has(r.parentId) : r.parentId === id)).map((r) => ({ value: r.id, title: r.name, children: node(r.id) }));
    return node(null);
  }, [data?.regions]);

  if (res.error) return <ApiErrorView error={res.error} />;
  if (!data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 10 }} />
      </Card>
    );

  const schoolName = (id?: string) => data.schools.find((s) => s.id === id)?.name ?? data.region.name;
  const traceTitle = (() => {
    if (!target) return '';
    if (target.figure === 'participation') return t.cockpit.traceParticipation(schoolName(target.school));
    if (target.figure === 'mastery') return t.cockpit.traceMastery(schoolName(target.school), data.mastery.points.find((p) => p.code === target.kp)?.name ?? target.kp);
    return t.cockpit.traceAi(schoolName(target.school));
  })();
  const rateText = (x: number | null) => (x === null ? '—' : `${pct(x)}%`);
  const targetTag = (f: AiFigure) => {
    const st = targetState(f);
    return (
      <Tag color={TAG_COLOR[st]} data-testid="target-tag">
        {st === 'unknown' ? (f.suppressed ? t.cockpit.suppressed : t.cockpit.noData) : st === 'met' ? t.cockpit.met : t.cockpit.notMet}
      </Tag>
    );
  };
  /** A figure that opens its rows. */
  const link = (text: string, to: CockpitTraceTarget, testId?: string) => (
    <Typography.Link onClick={() => setTarget(to)} data-testid={testId}>
      {text}
    </Typography.Link>
  );

  const region = data.ai.region;
  const columns = [
    { key: 'name', title: t.cockpit.school, dataIndex: 'name' },
    { key: 'district', title: t.cockpit.district, dataIndex: 'districtName', responsive: ['lg' as const] },
    {
      key: 'participation',
      title: t.cockpit.participation,
      render: (_: unknown, s: CockpitSchool) =>
        link(s.participationSuppressed ? '—' : `${rateText(s.participation)}（${s.participating}/${s.enrolled}）`, { figure: 'participation', school: s.id }),
    },
    {
      key: 'ai',
      title: t.cockpit.aiRate,
      render: (_: unknown, s: CockpitSchool) => link(s.ai.rate === null ? '—' : `${rateText(s.ai.rate)}（${s.ai.regular}/${s.ai.active}）`, { figure: 'ai', school: s.id }),
    },
    { key: 'target', title: t.cockpit.schoolTarget(pct(data.ai.targets.school)!), render: (_: unknown, s: CockpitSchool) => targetTag(s.ai) },
  ];

  return (
    <div>
      <PageHeader
        title={t.cockpit.title}
        subtitle={t.cockpit.subtitle(data.region.name, data.period.from, data.period.to)}
        extra={
          <Space wrap>
            <TreeSelect
              style={{ minWidth: 180 }}
              treeDefaultExpandAll
              value={data.region.id}
              treeData={regionTree}
              onChange={(v: string) => setFilter((f) => ({ ...f, region: v }))}
              data-testid="cockpit-region"
            />
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(data.period.from), dayjs(data.period.to)]}
              onChange={(r) => r?.[0] && r[1] && setFilter((f) => ({ ...f, from: r[0]!.format('YYYY-MM-DD'), to: r[1]!.format('YYYY-MM-DD') }))}
            />
          </Space>
        }
      />
      {data.viewer === 'researcher' && <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t.cockpit.researcherNote} />}
      {!data.ai.computedAt && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t.cockpit.notComputed} />}

      <Row gutter={[16, 16]} data-testid="cockpit-kpis">
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title={t.cockpit.schools} value={data.totals.schools} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title={t.cockpit.students} value={data.totals.students} />
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card>
            <Statistic title={t.cockpit.participation} value={rateText(data.totals.participation)} />
            <Typography.Text type="secondary">{t.cockpit.participatingOf(data.totals.participating, data.totals.students)}</Typography.Text>
          </Card>
        </Col>
        <Col xs={12} lg={6}>
          <Card data-testid="cockpit-ai-kpi">
            <Statistic
              title={
                <Tooltip title={t.cockpit.aiDefinition(data.ai.n, data.ai.m)}>
                  <span>{t.cockpit.aiRegionRate}</span>
                </Tooltip>
              }
              valueRender={() => (
                <Typography.Link onClick={() => setTarget({ figure: 'ai' })} data-testid="cockpit-ai-rate" style={{ fontSize: 24 }}>
                  {rateText(region.rate)}
                </Typography.Link>
              )}
            />
            <Space size={4}>
              {targetTag(region)}
              <Typography.Text type="secondary">{t.cockpit.districtTarget(pct(data.ai.targets.district)!)}</Typography.Text>
            </Space>
          </Card>
        </Col>
      </Row>

      {data.ai.districts.length > 1 && (
        <Card title={t.cockpit.districts} style={{ marginTop: 16 }} size="small">
          <Space wrap size="large">
            {data.ai.districts.map((d) => (
              <Space key={d.id} size={6}>
                <Typography.Text strong>{d.name}</Typography.Text>
                <span>{rateText(d.rate)}</span>
                {targetTag(d)}
              </Space>
            ))}
          </Space>
        </Card>
      )}

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={t.cockpit.schoolsTitle} size="small">
            <Table size="small" rowKey="id" columns={columns} dataSource={data.schools} pagination={data.schools.length > 20 ? { pageSize: 20 } : false} data-testid="cockpit-schools" />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t.cockpit.aiBarsTitle} size="small">
            <Typography.Paragraph type="secondary">{t.cockpit.aiDefinition(data.ai.n, data.ai.m)}</Typography.Paragraph>
            <AiBars data={data} onSchool={(school) => setTarget({ figure: 'ai', school })} />
          </Card>
        </Col>
      </Row>

      <Card
        style={{ marginTop: 16 }}
        size="small"
        title={t.cockpit.heatmapTitle}
        extra={
          <Select
            style={{ minWidth: 140 }}
            value={data.mastery.subject ?? undefined}
            placeholder={t.cockpit.subject}
            options={data.subjects.map((s) => ({ value: s.code, label: `${s.name}（${rateText(s.rate)}）` }))}
            onChange={(v: string) => setFilter((f) => ({ ...f, subject: v }))}
            data-testid="cockpit-subject"
          />
        }
      >
        {data.mastery.points.length ? (
          <>
            <Typography.Paragraph type="secondary">{t.cockpit.heatmapHint(data.minGroupSize)}</Typography.Paragraph>
            <CockpitHeatmap data={data} onCell={(school, kp) => setTarget({ figure: 'mastery', school, kp, subject: data.mastery.subject! })} />
          </>
        ) : (
          <Empty description={t.cockpit.noAnswers} />
        )}
      </Card>

      <CockpitTrace filter={{ ...filter, region: data.region.id, from: data.period.from, to: data.period.to }} target={target} title={traceTitle} onClose={() => setTarget(null)} />
    </div>
  );
}
