/**
 * The report's two charts: the score distribution and knowledge-point mastery, both bars (the
 * latter with the pass line as a mark line). A click on a bar traces it to the data behind it.
 */
import { useMemo } from 'react';
import { useI18n } from '../i18n';
import { EChart, esc, type ChartOption } from '../learning/EChart';
import { bandLabel, percent, type Report, type Trace } from './report-model';


const BLUE = '#1677ff';
const RED = '#cf1322';

export function ScoreHistogram({ report, onTrace }: { report: Report; onTrace(t: Trace): void }) {
  const { t } = useI18n();
  const bins = report.summary.histogram;
  const option = useMemo<ChartOption>(
    () =>
      ({
        grid: { left: 40, right: 16, top: 24, bottom: 44 },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          formatter: (ps: unknown) => {
            const p = (ps as { dataIndex: number }[])[0]!;
            const b = bins[p.dataIndex]!;
            return `${esc(t.report.bandTitle(bandLabel(b)))}<br/>${esc(t.report.peopleN(b.count))}<br/><span style="color:#8c8c8c">${esc(t.report.clickForData)}</span>`;
          },
        },
        xAxis: { type: 'category', data: bins.map(bandLabel), name: t.report.scoreAxis, nameLocation: 'middle', nameGap: 28, axisTick: { alignWithLabel: true } },
        yAxis: { type: 'value', name: t.report.peopleAxis, minInterval: 1 },
        series: [
          {
            type: 'bar',
            data: bins.map((b) => b.count),
            barWidth: '70%',
            itemStyle: { color: BLUE, borderRadius: [3, 3, 0, 0] },
            label: { show: true, position: 'top' },
            cursor: 'pointer',
          },
        ],
      }),
    [bins, t],
  );
  return (
    <EChart
      option={option}
      height={280}
      testId="score-histogram"
      ariaLabel={t.report.distribution}
      data={{ bins: bins.length, total: bins.reduce((s, b) => s + b.count, 0) }}
      onClick={(e) => onTrace({ kind: 'band', index: e.dataIndex })}
    />
  );
}

export function MasteryBars({ report, onTrace }: { report: Report; onTrace(t: Trace): void }) {
  const { t } = useI18n();
  // Weakest at the top: a horizontal bar chart draws its first category at the bottom.
  const points = useMemo(() => [...report.knowledgePoints].reverse(), [report.knowledgePoints]);
  const line = report.followUp.threshold * 100;
  const option = useMemo<ChartOption>(
    () =>
      ({
        grid: { left: 8, right: 48, top: 16, bottom: 24, containLabel: true },
        tooltip: {
          trigger: 'item',
          formatter: (p: unknown) => {
            const k = points[(p as { dataIndex: number }).dataIndex]!;
            return `${esc(k.name)}（${esc(k.code)}）<br/>${esc(t.report.masteryLine(percent(k.share), k.earned, k.possible))}<br/><span style="color:#8c8c8c">${esc(t.report.clickForData)}</span>`;
          },
        },
        xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
        yAxis: { type: 'category', data: points.map((k) => k.name), axisLabel: { width: 160, overflow: 'truncate' } },
        series: [
          {
            type: 'bar',
            data: points.map((k) => ({ value: k.share === null ? 0 : Math.round(k.share * 1000) / 10, itemStyle: { color: (k.share ?? 0) * 100 < line ? RED : BLUE } })),
            barMaxWidth: 22,
            label: { show: true, position: 'right', formatter: '{c}%' },
            markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#8c8c8c' }, label: { formatter: `${line}%` }, data: [{ xAxis: line }] },
            cursor: 'pointer',
          },
        ],
      }),
    [points, line, t],
  );
  return (
    <EChart
      option={option}
      height={Math.max(160, 48 + points.length * 34)}
      testId="mastery-chart"
      ariaLabel={t.report.mastery}
      data={{ points: points.length }}
      onClick={(e) => onTrace({ kind: 'kp', code: points[e.dataIndex]!.code })}
    />
  );
}
