/**
 * The one ECharts wrapper of the web app (bar, line, heatmap and graph series; grid, legend,
 * tooltip, visual map, data zoom and mark lines). One ECharts instance in a div: created once, disposed on unmount, resized with its container,
 * and given the whole option again whenever it changes (notMerge, so removed series disappear).
 */
import { useEffect, useRef, type CSSProperties } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, GraphChart, HeatmapChart, LineChart, type BarSeriesOption, type GraphSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  VisualMapComponent,
  type DataZoomComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GraphChart, HeatmapChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<
  | BarSeriesOption
  | GraphSeriesOption
  | HeatmapSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
  | DataZoomComponentOption
>;

export function EChart(props: {
  option: ChartOption;
  height: number;
  testId?: string;
  onClick?(params: echarts.ECElementEvent): void;
  /** Extra attributes for tests and assistive tech (the canvas itself says nothing). */
  data?: Record<string, string | number>;
  ariaLabel?: string;
  style?: CSSProperties;
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const onClick = useRef(props.onClick);
  onClick.current = props.onClick;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (e) => onClick.current?.(e));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(props.option, { notMerge: true });
  }, [props.option]);

  // the height can change with the data (one heatmap row per student)
  useEffect(() => {
    chart.current?.resize();
  }, [props.height]);

  const dataAttrs = Object.fromEntries(Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <div
      ref={el}
      role="img"
      aria-label={props.ariaLabel}
      data-testid={props.testId}
      {...dataAttrs}
      style={{ width: '100%', height: props.height, ...props.style }}
    />
  );
}

/** HTML-escapes text for ECharts tooltip formatters (they render HTML). */
export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
