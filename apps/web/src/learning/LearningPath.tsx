/**
 * The learning path to a goal point: a small graph of the goal's prerequisites in learning order
 * (left to right by depth, arrows from prerequisite to point) coloured by the student's mastery,
 * the same points as a numbered list, and "x / y mastered".
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Card, Col, Empty, Progress, Row, Select, Space, Tag, Typography } from 'antd';
import { AimOutlined } from '@ant-design/icons';
import type { Graph } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { query } from '../shell/api';
import { ApiErrorView } from '../shell/ApiErrorView';
import { shortLabel } from '../curriculum/graph-model';
import { EChart, esc, type ChartOption } from './EChart';
import { MasteryTag } from './MasteryBits';
import { STATE_COLORS, pct, stateLabel, type PathResult, type PointMastery } from './model';

export function LearningPath(props: {
  subject: string;
  graph: Graph | undefined;
  mastery: PointMastery[] | undefined;
  goal: string | undefined;
  onGoal(code: string): void;
  /** Bumped after every practice answer: the path's colours follow the learner model. */
  version: number;
}) {
  const { t } = useI18n();
  const { goal, graph } = props;
  const path = useApi<PathResult>(goal ? `/api/learning/path${query({ subject: props.subject, goal })}` : null);
  const first = useRef(true);
  const { reload } = path;
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    reload();
  }, [props.version, reload]);

  const stateOf = useMemo(() => new Map((props.mastery ?? []).map((m) => [m.code, m])), [props.mastery]);
  const options = useMemo(() => {
    const grades = [...new Set((graph?.points ?? []).map((p) => p.grade))].sort((a, b) => a - b);
    return grades.map((g) => ({
      label: t.curriculum.gradeName(g),
      title: t.curriculum.gradeName(g),
      options: (graph?.points ?? [])
        .filter((p) => p.grade === g)
        .map((p) => {
          const m = stateOf.get(p.code);
          return {
            value: p.code,
            search: `${p.code} ${p.name}`,
            label: (
              <Space size={6}>
                <span className="zj-state-dot" style={{ background: m ? STATE_COLORS[m.state] : STATE_COLORS.not_enough_evidence }} />
                <span>{p.name}</span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p.code}
                </Typography.Text>
              </Space>
            ),
          };
        }),
    }));
  }, [graph, stateOf, t]);

  const data = path.data;
  return (
    <Card
      title={t.learning.pathTitle}
      data-testid="learning-path"
      extra={
        <Space>
          <Typography.Text type="secondary">{t.learning.pathGoal}</Typography.Text>
          <Select
            showSearch
            style={{ width: 300 }}
            value={goal}
            placeholder={t.learning.pathGoalPlaceholder}
            options={options}
            loading={!graph}
            onChange={props.onGoal}
            optionFilterProp="search"
            data-testid="path-goal"
            popupMatchSelectWidth={360}
          />
        </Space>
      }
    >
      {!goal ? (
        <Empty description={t.learning.pathEmpty} />
      ) : path.error ? (
        <ApiErrorView error={path.error} />
      ) : !data ? (
        <div style={{ height: 240 }} />
      ) : (
        <>
          <Space size={16} wrap style={{ marginBottom: 8 }}>
            <Typography.Text strong data-testid="path-progress" data-mastered={data.progress.mastered} data-total={data.progress.total}>
              {t.learning.pathProgress(data.progress.mastered, data.progress.total)}
            </Typography.Text>
            <Progress
              percent={data.progress.total ? Math.round((100 * data.progress.mastered) / data.progress.total) : 0}
              size={[220, 10]}
              strokeColor={STATE_COLORS.mastered}
              showInfo={false}
            />
            <Legend />
          </Space>
          <PathGraph path={data} graph={graph} />
          <Row>
            <Col span={24}>
              <Typography.Paragraph type="secondary" style={{ margin: '8px 0' }}>
                {t.learning.pathHint}
              </Typography.Paragraph>
              <ol className="zj-path-list" data-testid="path-steps">
                {data.steps.map((s, i) => (
                  <li key={s.code} data-testid="path-step" data-code={s.code} data-state={s.state}>
                    <span className="zj-path-no" style={{ background: STATE_COLORS[s.state] }}>
                      {i + 1}
                    </span>
                    <span className="zj-path-name">
                      {s.name}
                      {s.code === data.goal && (
                        <Tag icon={<AimOutlined />} color="blue" bordered={false} style={{ marginLeft: 6 }}>
                          {t.learning.pathGoalTag}
                        </Tag>
                      )}
                    </span>
                    <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                      {pct(s.pKnow)}%
                    </Typography.Text>
                    <MasteryTag m={s} />
                  </li>
                ))}
              </ol>
            </Col>
          </Row>
        </>
      )}
    </Card>
  );
}

function Legend() {
  const { t } = useI18n();
  const entries: [string, string][] = [
    [STATE_COLORS.mastered, t.learning.legendMastered],
    [STATE_COLORS.learning, t.learning.legendLearning],
    [STATE_COLORS.not_enough_evidence, t.learning.legendNotStarted],
  ];
  return (
    <Space size={12} wrap>
      {entries.map(([c, label]) => (
        <Space key={label} size={4}>
          <span className="zj-state-dot" style={{ background: c }} />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {label}
          </Typography.Text>
        </Space>
      ))}
    </Space>
  );
}

const MIN_COL = 110;
const MAX_COL = 170;
const ROW = 60;
const PAD_X = 60;
const BAND_GAP = 40;

/**
 * Pixel positions: depth (the longest chain of prerequisites inside the path) gives the column,
 * points of one depth stack vertically; a path longer than the width wraps into bands below,
 * running back the other way.
 */
function layoutPath(path: PathResult, graph: Graph | undefined, width: number) {
  const inPath = new Set(path.steps.map((s) => s.code));
  const pre = new Map((graph?.points ?? []).map((p) => [p.code, p.prerequisites.filter((q) => inPath.has(q))]));
  const depth = new Map<string, number>();
  // steps come in learning order: prerequisites first
  for (const s of path.steps) depth.set(s.code, (pre.get(s.code) ?? []).reduce((d, q) => Math.max(d, (depth.get(q) ?? 0) + 1), 0));
  const columns = new Map<number, string[]>();
  for (const s of path.steps) {
    const d = depth.get(s.code)!;
    columns.set(d, [...(columns.get(d) ?? []), s.code]);
  }
  const nCols = Math.max(1, columns.size);
  const usable = Math.max(200, width - 2 * PAD_X);
  const perBand = Math.max(1, Math.min(nCols, Math.floor(usable / MIN_COL) + 1));
  const colW = perBand > 1 ? Math.min(MAX_COL, usable / (perBand - 1)) : 0;
  const tallest = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const bandH = tallest * ROW + BAND_GAP;
  const bands = Math.ceil(nCols / perBand);
  // centre the drawing horizontally when it is narrower than the chart
  const offsetX = (width - (perBand - 1) * colW) / 2;
  const pos = new Map<string, { x: number; y: number; labelTop: boolean }>();
  for (const [d, codes] of columns) {
    const band = Math.floor(d / perBand);
    // bands run left to right, then right to left (a snake), so a wrap is one short step down
    const col = band % 2 === 0 ? d % perBand : perBand - 1 - (d % perBand);
    codes.forEach((c, i) =>
      pos.set(c, {
        x: offsetX + col * colW,
        y: 30 + band * bandH + (tallest * ROW) / 2 + (i - (codes.length - 1) / 2) * ROW,
        // neighbouring columns put their labels on opposite sides so long names do not collide
        labelTop: colW < 2 * MIN_COL && col % 2 === 1,
      }),
    );
  }
  const edges = path.steps.flatMap((s) => (pre.get(s.code) ?? []).map((q) => ({ source: q, target: s.code })));
  return { pos, edges, height: 30 + bands * bandH };
}

function PathGraph({ path, graph }: { path: PathResult; graph: Graph | undefined }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useEffect(() => {
    if (!box.current) return;
    const ro = new ResizeObserver(([e]) => e && setWidth(Math.round(e.contentRect.width)));
    ro.observe(box.current);
    return () => ro.disconnect();
  }, []);
  const layout = useMemo(() => layoutPath(path, graph, width), [path, graph, width]);
  const option = useMemo<ChartOption>(() => {
    const byCode = new Map(path.steps.map((s) => [s.code, s]));
    // Two invisible corner nodes pin the view to the chart's own pixels: one data unit = one pixel,
    // so the nodes stay round (ECharts stretches the bounding box of the nodes to the series box).
    const corners = [
      { id: '__tl', x: 0, y: 0 },
      { id: '__br', x: width, y: layout.height },
    ].map((c) => ({ ...c, name: '', symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false } }));
    return {
      animation: false,
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (info) => {
          const one = Array.isArray(info) ? info[0] : info;
          if (!one || one.dataType !== 'node') return '';
          const s = byCode.get((one.data as { id: string }).id);
          if (!s) return '';
          return `<b>${esc(s.name)}</b> <span style="color:#8c8c8c">${esc(s.code)}</span><br/>${esc(stateLabel(s, t))} · ${esc(t.learning.pKnow(pct(s.pKnow)))}<br/>${esc(t.learning.evidence(s.observations, s.correct))}`;
        },
      },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: false,
          left: 0,
          right: 0,
          top: 0,
          bottom: 0,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: [0, 8],
          lineStyle: { color: '#bfbfbf', width: 1.5, curveness: 0.1 },
          data: [
            ...path.steps.map((s) => {
              const goal = s.code === path.goal;
              const p = layout.pos.get(s.code)!;
              return {
                id: s.code,
                name: s.name,
                x: p.x,
                y: p.y,
                symbolSize: goal ? 28 : 20,
                itemStyle: { color: STATE_COLORS[s.state], borderColor: goal ? '#1677ff' : '#fff', borderWidth: goal ? 3 : 2 },
                label: {
                  show: true,
                  position: p.labelTop ? ('top' as const) : ('bottom' as const),
                  distance: 6,
                  fontSize: 12,
                  fontWeight: goal ? ('bold' as const) : ('normal' as const),
                  color: '#262626',
                  formatter: () => shortLabel(s.name, 14),
                },
              };
            }),
            ...corners,
          ],
          links: layout.edges,
        },
      ],
    };
  }, [path, layout, width, t]);
  return (
    <div ref={box}>
      <EChart
        option={option}
        height={layout.height}
        testId="path-chart"
        data={{ nodes: path.steps.length, mastered: path.progress.mastered }}
        ariaLabel={path.steps.map((s) => `${s.name}: ${stateLabel(s, t)}`).join('; ')}
      />
    </div>
  );
}
