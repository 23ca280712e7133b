/** Progress over time: pKnow of the points practised most recently, one line each. */
import { useMemo } from 'react';
import { Empty } from 'antd';
import { formatTime, useI18n } from '../i18n';
import { EChart, type ChartOption } from './EChart';
import type { MasteryHistory } from './model';

const LINE_COLORS = ['#1677ff', '#52c41a', '#fa8c16', '#722ed1', '#eb2f96', '#13c2c2', '#faad14', '#2f54eb'];
const MAX_LINES = 8;

export function HistoryChart({ history, height = 280 }: { history: MasteryHistory; height?: number }) {
  const { t, lang } = useI18n();
  const lines = useMemo(
    () =>
      history.points
        .filter((p) => p.series.length > 0)
        .map((p) => ({ ...p, last: Math.max(...p.series.map((s) => new Date(s.at).getTime())) }))
        .sort((a, b) => b.last - a.last)
        .slice(0, MAX_LINES),
    [history],
  );
  const option = useMemo<ChartOption>(() => {
    // a few answers within minutes: pad the time axis so the points do not sit on its edges
    const times = lines.flatMap((l) => l.series.map((s) => new Date(s.at).getTime()));
    const lo = Math.min(...times);
    const hi = Math.max(...times);
    const pad = Math.max(30 * 60_000, (hi - lo) * 0.05);
    return {
      color: LINE_COLORS,
      grid: { left: 44, right: 16, top: 56, bottom: 32 },
      legend: { type: 'scroll', top: 0, data: lines.map((l) => l.name) },
      tooltip: {
        trigger: 'axis',
        confine: true,
        valueFormatter: (v) => `${Math.round(Number(v))}%`,
      },
      xAxis: { type: 'time', min: lo - pad, max: hi + pad, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { lineStyle: { type: 'dashed' } } },
      series: lines.map((l) => ({
        type: 'line',
        name: l.name,
        showSymbol: true,
        symbolSize: 6,
        // one observation at a time: steps say "this answer moved it" better than a smoothed curve
        step: false,
        data: [...l.series].sort((a, b) => (a.at < b.at ? -1 : 1)).map((s) => [s.at, Math.round(s.pKnow * 1000) / 10]),
        tooltip: { valueFormatter: (v) => `${Math.round(Number(v))}%` },
      })),
    };
  }, [lines]);
  if (!lines.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.learning.historyEmpty} data-testid="history-empty" />;
  const last = lines[0]!;
  return (
    <EChart
      option={option}
      height={height}
      testId="history-chart"
      data={{ lines: lines.length, points: lines.reduce((n, l) => n + l.series.length, 0) }}
      ariaLabel={`${t.learning.historyTitle}: ${last.name} ${formatTime(new Date(last.last).toISOString(), lang)}`}
    />
  );
}
