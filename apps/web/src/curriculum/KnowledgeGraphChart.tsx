/**
 * The knowledge-point graph as an ECharts graph series on fixed positions (see layoutGraph):
 * nodes coloured by domain, arrows from prerequisite to point, grade headings above the blocks.
 */
import { useEffect, useMemo, useRef } from 'react';
import * as echarts from 'echarts/core';
import { GraphChart, type GraphSeriesOption } from 'echarts/charts';
import {
  LegendComponent,
  TooltipComponent,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { Graph } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { layoutGraph, shortLabel, type Layout } from './graph-model';

echarts.use([GraphChart, TooltipComponent, LegendComponent, CanvasRenderer]);

type Option = echarts.ComposeOption<GraphSeriesOption | TooltipComponentOption | LegendComponentOption>;
type NodeData = NonNullable<GraphSeriesOption['data']>[number];
type LinkData = NonNullable<GraphSeriesOption['links']>[number];

const PALETTE = ['#1677ff', '#52c41a', '#fa8c16', '#722ed1', '#eb2f96', '#13c2c2', '#faad14', '#2f54eb'];
const OTHER_COLOR = '#8c8c8c';
const PATH_COLOR = '#f5222d';
const GRADE_PREFIX = '__grade__';
/** The series box inside the chart (room for the legend on top and the labels on the right). */
const BOX = { left: 50, right: 130, top: 70, bottom: 24 };
const MAX_FIT_ZOOM = 2.2;

/**
 * Centre and zoom that show the given points inside the part of the series box not covered by a
 * panel `inset` px wide on the window's right edge. The layout is stretched to the box, so one
 * data unit is boxWidth / dataWidth px at zoom 1 (and likewise vertically).
 */
function fitView(layout: Layout, points: { x: number; y: number }[], rect: DOMRect, inset: number) {
  if (!points.length) return null;
  const xs = [...layout.points.map((p) => p.x), ...layout.grades.map((g) => g.x)];
  const ys = [...layout.points.map((p) => p.y), ...layout.grades.map((g) => g.y)];
  const dataW = Math.max(1, Math.max(...xs) - Math.min(...xs));
  const dataH = Math.max(1, Math.max(...ys) - Math.min(...ys));
  const boxW = Math.max(1, rect.width - BOX.left - BOX.right);
  const boxH = Math.max(1, rect.height - BOX.top - BOX.bottom);
  const covered = Math.max(0, inset - (window.innerWidth - (rect.right - BOX.right)));
  const freeW = Math.max(boxW * 0.3, boxW - covered);
  const minX = Math.min(...points.map((p) => p.x));
  const maxX = Math.max(...points.map((p) => p.x));
  const minY = Math.min(...points.map((p) => p.y));
  const maxY = Math.max(...points.map((p) => p.y));
  // leave room for the labels right of the nodes
  const spanW = (maxX - minX) / dataW + 0.12;
  const spanH = (maxY - minY) / dataH + 0.12;
  const zoom = Math.max(0.5, Math.min(MAX_FIT_ZOOM, (0.9 * freeW) / (boxW * spanW), (0.9 * boxH) / (boxH * spanH)));
  const pxPerUnitX = (zoom * boxW) / dataW;
  // the centre option is the data point drawn at the box centre; move it so the points sit mid free area
  const cx = (minX + maxX) / 2 + 0.04 * dataW + (boxW / 2 - freeW / 2) / pxPerUnitX;
  return { center: [cx, (minY + maxY) / 2], zoom };
}

export interface ChartHighlight {
  /** The point whose detail is open. */
  selected: string | null;
  /** Its learning path (ancestors and itself): drawn emphasised, everything else faded. */
  path: ReadonlySet<string> | null;
  /** Search matches: ringed; with no selection everything else is faded. */
  matches: ReadonlySet<string>;
  /** Fit the view to these points (a new token re-focuses, e.g. after the user panned away). */
  focus: { codes: string[]; token: number } | null;
}

export function KnowledgeGraphChart(props: {
  graph: Graph;
  highlight: ChartHighlight;
  onSelect(code: string): void;
  /** Width in px of a panel overlaying the window's right edge: fitted points stay left of it. */
  rightInset?: number;
  height?: number;
}) {
  const { graph, highlight, onSelect } = props;
  const { lang, t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const shownGraph = useRef<Graph | null>(null);
  const shownFocus = useRef<number | null>(null);

  const layout = useMemo(() => layoutGraph(graph), [graph]);
  const pos = useMemo(() => new Map(layout.points.map((p) => [p.point.code, p])), [layout]);
  const categories = useMemo(() => {
    const list = graph.domains.map((d, i) => ({
      code: d.code as string | null,
      name: lang === 'en' && d.nameEn ? d.nameEn : d.name,
      color: PALETTE[i % PALETTE.length]!,
    }));
    if (graph.points.some((p) => !p.domain || !graph.domains.some((d) => d.code === p.domain)))
      list.push({ code: null, name: t.curriculum.otherDomain, color: OTHER_COLOR });
    return list;
  }, [graph, lang, t]);

  // init once, dispose on unmount, follow the container's size
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (e) => {
      const id = (e.data as { id?: string } | undefined)?.id;
      if (e.dataType === 'node' && id && !id.startsWith(GRADE_PREFIX)) onSelectRef.current(id);
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  const { selected, path, matches, focus } = highlight;
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const catIndex = (domain: string | null) => {
      const i = categories.findIndex((x) => x.code === domain);
      return i >= 0 ? i : categories.length - 1;
    };
    const active: ReadonlySet<string> | null = path ?? (matches.size ? matches : null);
    const nodes: NodeData[] = layout.points.map(({ point: p, x, y }) => {
      const isSelected = p.code === selected;
      const isMatch = matches.has(p.code);
      const dim = active !== null && !active.has(p.code);
      return {
        id: p.code,
        name: p.name,
        x,
        y,
        category: catIndex(p.domain && graph.domains.some((d) => d.code === p.domain) ? p.domain : null),
        symbolSize: isSelected ? 20 : isMatch ? 16 : 11,
        itemStyle: {
          opacity: dim ? 0.18 : 1,
          borderColor: isSelected || isMatch ? PATH_COLOR : '#fff',
          borderWidth: isSelected || isMatch ? 3 : 1,
        },
        label: {
          show: true,
          position: 'right',
          distance: 4,
          fontSize: isSelected || isMatch ? 13 : 11,
          fontWeight: isSelected || isMatch ? 'bold' : 'normal',
          color: dim ? 'rgba(0,0,0,0.2)' : '#262626',
          formatter: () => shortLabel(p.name),
        },
      };
    });
    const headings: NodeData[] = layout.grades.map((g) => ({
      id: `${GRADE_PREFIX}${g.grade}`,
      name: t.curriculum.gradeName(g.grade),
      x: g.x,
      y: g.y,
      symbolSize: 0,
      tooltip: { show: false },
      label: { show: true, position: 'inside', fontSize: 15, fontWeight: 'bold', color: '#595959', formatter: () => t.curriculum.gradeName(g.grade) },
    }));
    const links: LinkData[] = graph.points.flatMap((p) =>
      p.prerequisites
        .filter((pre) => pos.has(pre))
        .map((pre) => {
          const onPath = path !== null && path.has(pre) && path.has(p.code);
          const dim = active !== null && !onPath && !(active.has(pre) && active.has(p.code));
          return {
            source: pre,
            target: p.code,
            lineStyle: onPath
              ? { color: PATH_COLOR, width: 2.5, opacity: 0.95 }
              : { color: 'source', width: 1, opacity: dim ? 0.05 : 0.35 },
          } satisfies LinkData;
        }),
    );
    // the view moves only on a new focus request or a new graph; otherwise the user's pan/zoom stays
    let view: Pick<GraphSeriesOption, 'center' | 'zoom'> = {};
    if (shownGraph.current !== graph) {
      const xs = [...layout.points.map((p) => p.x), ...layout.grades.map((g) => g.x)];
      const ys = [...layout.points.map((p) => p.y), ...layout.grades.map((g) => g.y)];
      view = { center: [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2], zoom: 1 };
    }
    if (focus && focus.token !== shownFocus.current && el.current) {
      const fit = fitView(
        layout,
        focus.codes.map((code) => pos.get(code)).filter((p) => p !== undefined),
        el.current.getBoundingClientRect(),
        props.rightInset ?? 0,
      );
      if (fit) view = fit;
    }
    shownGraph.current = graph;
    shownFocus.current = focus?.token ?? null;
    const option: Option = {
      animationDurationUpdate: 300,
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (info) => {
          const one = Array.isArray(info) ? info[0] : info;
          if (!one || one.dataType !== 'node') return '';
          const id = (one.data as { id?: string }).id ?? '';
          const p = pos.get(id)?.point;
          if (!p) return '';
          const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
          return `<b>${esc(p.name)}</b><br/>${esc(p.code)} · ${esc(t.curriculum.gradeName(p.grade))}`;
        },
      },
      legend: {
        top: 4,
        left: 'center',
        data: categories.map((c) => c.name),
        itemGap: 20,
      },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          scaleLimit: { min: 0.4, max: 8 },
          ...BOX,
          ...view,
          categories: categories.map((c) => ({ name: c.name, itemStyle: { color: c.color } })),
          data: nodes.concat(headings),
          links,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: [0, 6],
          lineStyle: { curveness: 0.08 },
          labelLayout: { hideOverlap: true },
          emphasis: { focus: 'adjacency', label: { show: true, fontWeight: 'bold' }, lineStyle: { width: 2, opacity: 0.9 } },
        },
      ],
    };
    c.setOption(option);
    // `focus` is compared by token, so the same point can be focused again after panning away
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph, layout, pos, categories, selected, path, matches, focus?.token, t]);

  return <div ref={el} data-testid="kp-chart" style={{ width: '100%', height: props.height ?? 640 }} />;
}
