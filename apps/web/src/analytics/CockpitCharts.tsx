/**
 * The cockpit's two charts (ECharts): mastery of schools × knowledge points as a heatmap, and each
 * school's AI regular-use rate as bars with the school target as a line. A click on a cell or a
 * bar opens the rows behind it.
 */
import { useMemo } from 'react';
import type { HeatmapSeriesOption } from 'echarts/charts';
import type { VisualMapComponentOption } from 'echarts/components';
import { useI18n } from '../i18n';
import { EChart, esc, type ChartOption } from '../learning/EChart';
import { heatmapCells, pct, type Cockpit } from './cockpit-model';


const ROW_H = 28;
const GREY = '#e8e8e8';

export function CockpitHeatmap(props: { data: Cockpit; onCell(school: string, kp: string): void }) {
  const { t } = useI18n();
  const { data } = props;
  const { points } = data.mastery;
  const schools = data.schools;
  const option = useMemo<ChartOption>(() => {
    const cells = heatmapCells(data);
    const cellOf = (x: number, y: number) => data.mastery.cells.find((c) => c.school === schools[y]?.id && c.kp === points[x]?.code);
    const series: HeatmapSeriesOption[] = [
      { type: 'heatmap', name: 'rate', data: cells.shown, label: { show: points.length <= 12, formatter: (p) => `${(p.data as number[])[2]}%` }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } },
      { type: 'heatmap', name: 'hidden', data: cells.hidden, itemStyle: { color: GREY }, label: { show: true, formatter: () => '—', color: '#8c8c8c' } },
    ];
    const visualMap: VisualMapComponentOption = {
      min: 0,
      max: 100,
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      seriesIndex: 0,
      inRange: { color: ['#f5222d', '#fadb14', '#52c41a'] },
      text: ['100%', '0%'],
    };
    return {
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (info) => {
          const one = Array.isArray(info) ? info[0] : info;
          const d = one?.data as [number, number, number] | undefined;
          if (!d) return '';
          const c = cellOf(d[0], d[1]);
          const p = points[d[0]];
          const head = `<b>${esc(schools[d[1]]?.name ?? '')}</b><br/>${esc(p?.name ?? '')} <span style="color:#8c8c8c">${esc(p?.code ?? '')}</span><br/>`;
          return head + (c?.rate === null || !c ? esc(t.cockpit.suppressedCell(data.minGroupSize)) : esc(t.cockpit.cellTip(pct(c.rate)!, c.responses)));
        },
      },
      grid: { left: 8, right: 16, top: 16, bottom: 48, containLabel: true },
      xAxis: { type: 'category', position: 'top', data: points.map((p) => p.name), axisTick: { show: false }, axisLabel: { interval: 0, rotate: points.length > 8 ? 45 : 0, width: 120, overflow: 'truncate' } },
      yAxis: { type: 'category', inverse: true, data: schools.map((s) => s.name), axisTick: { show: false }, axisLabel: { width: 180, overflow: 'truncate' } },
      visualMap,
      series,
    };
  }, [data, points, schools, t]);
  if (!points.length) return null;
  return (
    <EChart
      option={option}
      height={Math.max(200, schools.length * ROW_H + 110)}
      testId="cockpit-heatmap"
      ariaLabel={t.cockpit.heatmapTitle}
      data={{ cells: data.mastery.cells.length }}
      onClick={(e) => {
        const d = e.data as [number, number, number] | undefined;
        const school = d ? schools[d[1]] : undefined;
        const point = d ? points[d[0]] : undefined;
        if (school && point) props.onCell(school.id, point.code);
      }}
    />
  );
}

export function AiBars(props: { data: Cockpit; onSchool(school: string): void }) {
  const { t } = useI18n();
  const { data } = props;
  const option = useMemo<ChartOption>(() => {
    const target = pct(data.ai.targets.school)!;
    return {
      tooltip: {
        trigger: 'item',
        formatter: (info) => {
          const one = Array.isArray(info) ? info[0] : info;
          const s = data.schools[one?.dataIndex ?? -1];
          if (!s) return '';
          return `<b>${esc(s.name)}</b><br/>${esc(s.ai.rate === null ? t.cockpit.suppressed : t.cockpit.aiTip(pct(s.ai.rate)!, s.ai.regular ?? 0, s.ai.active))}`;
        },
      },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: data.schools.map((s) => s.name), axisLabel: { interval: 0, rotate: data.schools.length > 4 ? 30 : 0, width: 140, overflow: 'truncate' } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 36,
          data: data.schools.map((s) => ({
            value: pct(s.ai.rate) ?? 0,
            itemStyle: { color: s.ai.met === null ? GREY : s.ai.met ? '#52c41a' : '#fa8c16' },
          })),
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: '#cf1322', type: 'dashed' },
            label: { formatter: t.cockpit.targetLine(target), position: 'insideEndTop' },
            data: [{ yAxis: target }],
          },
        },
      ],
    };
  }, [data, t]);
  return (
    <EChart
      option={option}
      height={300}
      testId="cockpit-ai-bars"
      ariaLabel={t.cockpit.aiBarsTitle}
      onClick={(e) => {
        const s = data.schools[e.dataIndex];
        if (s) props.onSchool(s.id);
      }}
    />
  );
}
