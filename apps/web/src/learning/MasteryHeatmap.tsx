/**
 * Students × knowledge points as an ECharts heatmap: cells coloured by pKnow (red → green), grey
 * where a student has no evidence on the point yet. Clicking a point's name toggles it for
 * tiered practice.
 */
import { useMemo } from 'react';
import { useI18n } from '../i18n';
import { shortLabel } from '../curriculum/graph-model';
import { EChart, esc, type ChartOption } from './EChart';
import { NO_EVIDENCE_COLOR, PKNOW_COLORS, pct, type ClassMastery } from './model';

type Point = ClassMastery['points'][number];
type Student = ClassMastery['students'][number];

const ROW_H = 30;

export function MasteryHeatmap(props: { points: Point[]; students: Student[]; picked: ReadonlySet<string>; onToggle(code: string): void }) {
  const { t } = useI18n();
  const { points, students } = props;
  const cells = useMemo(() => {
    const withData: [number, number, number][] = [];
    const without: [number, number, number][] = [];
    students.forEach((s, y) =>
      points.forEach((p, x) => {
        const v = s.mastery[p.code];
        if (v === null || v === undefined) without.push([x, y, 0]);
        else withData.push([x, y, Math.round(v * 1000) / 10]);
      }),
    );
    return { withData, without };
  }, [points, students]);

  const option = useMemo<ChartOption>(() => {
    const studentLabel = (s: Student) => `${s.name}${s.meanPKnow === null ? '' : `  ${pct(s.meanPKnow)}%`}`;
    const tooltip = (x: number, y: number) => {
      const p = points[x];
      const s = students[y];
      if (!p || !s) return '';
      const v = s.mastery[p.code];
      const value = v === null || v === undefined ? t.learning.noEvidenceCell : t.learning.pKnow(pct(v));
      return `<b>${esc(s.name)}</b> <span style="color:#8c8c8c">${esc(s.studentNo)}</span><br/>${esc(p.name)} <span style="color:#8c8c8c">${esc(p.code)}</span><br/>${esc(value)}`;
    };
    return {
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (info) => {
          const one = Array.isArray(info) ? info[0] : info;
          const d = one?.data as [number, number, number] | undefined;
          return d ? tooltip(d[0], d[1]) : '';
        },
      },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        position: 'top',
        data: points.map((p) => p.code),
        splitArea: { show: false },
        axisTick: { show: false },
        axisLabel: {
          interval: 0,
          // many points: vertical names (one line per column), a few: slanted, very few: level
          rotate: points.length > 16 ? 90 : points.length > 8 ? 45 : 0,
          fontSize: 12,
          formatter: (code: string) => {
            const p = points.find((x) => x.code === code);
            const name = shortLabel(p?.name ?? code, points.length > 8 ? 12 : 16);
            return props.picked.has(code) ? `{picked|${name}}` : name;
          },
          rich: { picked: { color: '#1677ff', fontWeight: 'bold', fontSize: 12 } },
        },
        triggerEvent: true,
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: students.map(studentLabel),
        axisTick: { show: false },
        axisLabel: { fontSize: 12 },
      },
      // the card shows the scale as a legend; the visual map only colours the cells
      visualMap: { type: 'continuous', show: false, seriesIndex: 0, min: 0, max: 100, inRange: { color: PKNOW_COLORS } },
      series: [
        {
          type: 'heatmap',
          name: 'pKnow',
          data: cells.withData,
          label: { show: points.length <= 14, fontSize: 11, color: '#262626', formatter: (p) => `${Math.round((p.data as number[])[2]!)}` },
          itemStyle: { borderColor: '#fff', borderWidth: 2 },
          emphasis: { itemStyle: { borderColor: '#1677ff', borderWidth: 2 } },
        },
        {
          type: 'heatmap',
          name: 'none',
          data: cells.without,
          itemStyle: { color: NO_EVIDENCE_COLOR, borderColor: '#fff', borderWidth: 2 },
          label: { show: false },
          emphasis: { itemStyle: { borderColor: '#1677ff', borderWidth: 2 } },
        },
      ],
    };
  }, [points, students, cells, props.picked, t]);

  const height = Math.max(200, students.length * ROW_H + (points.length > 16 ? 170 : points.length > 8 ? 140 : 60));
  return (
    <EChart
      option={option}
      height={height}
      testId="mastery-heatmap"
      data={{ students: students.length, points: points.length, evidence: cells.withData.length, empty: cells.without.length }}
      ariaLabel={t.learning.heatmapTitle}
      // a handful of points should not stretch into bars across the page
      style={{ maxWidth: Math.max(520, 200 + points.length * 110) }}
      onClick={(e) => {
        // a click on a point's name toggles it for tiered practice
        const code = (e as unknown as { value?: unknown }).value;
        if (e.componentType === 'xAxis' && typeof code === 'string') props.onToggle(code);
      }}
    />
  );
}
