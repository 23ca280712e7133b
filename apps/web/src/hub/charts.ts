/**
 * The shared EChart component registers line, heatmap and graph series only; the hub's usage
 * chart also needs bars. Registering BarChart here (echarts' registry is global) and typing the
 * option with bars, then handing it to EChart, keeps EChart itself untouched.
 */
import * as echarts from 'echarts/core';
import { BarChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption, DataZoomComponentOption } from 'echarts/components';
import type { ChartOption } from '../learning/EChart';

echarts.use([BarChart]);

export type HubChartOption = echarts.ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | DataZoomComponentOption>;

/** EChart's option type lists its own series kinds; bars are registered above. */
export const asChartOption = (o: HubChartOption): ChartOption => o as unknown as ChartOption;
