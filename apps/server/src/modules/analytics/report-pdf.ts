/**
 * The homework/exam report as an A4 PDF: the same numbers as the JSON report (the caller passes
 * the report object that `Analytics.report()` returned for the viewer, so scope and names are
 * decided there and only there), laid out with pdfkit, with a CJK font embedded as a subset so
 * Chinese is real, searchable text.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ItemFlag } from '@zhijiao/engine';
import PDFDocument from 'pdfkit';
import type { AssignmentReport as Report } from './schema.js';

/** One face of a font file; `family` names the face inside a collection (.ttc). */
export interface FontFace {
  src: Buffer;
  family?: string;
}
export interface PdfFonts {
  regular: FontFace;
  bold: FontFace;
}

/** Where distributions put Noto Sans CJK (Debian/Ubuntu fonts-noto-cjk first). */
const NOTO_LOCATIONS = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc',
  '/usr/local/share/fonts/NotoSansCJK-Regular.ttc',
];

/**
 * The Simplified Chinese face of a Noto CJK collection (the collection holds JP, KR, SC, TC and HK
 * faces; SC has the mainland glyph forms). `path#Face` picks a face of any other collection.
 */
function faceOf(spec: string): { path: string; family?: string } {
  const hash = spec.lastIndexOf('#');
  if (hash > 0) return { path: spec.slice(0, hash), family: spec.slice(hash + 1) };
  const m = /^Noto(Sans|Serif)CJK-(\w+)\.ttc$/i.exec(basename(spec));
  return m ? { path: spec, family: `Noto${m[1]}CJKsc-${m[2]}` } : { path: spec };
}

/** Opens a face the way the renderer will, so a wrong file or face name is found now, not mid-report. */
function openFace(spec: { path: string; family?: string }): FontFace | null {
  if (!existsSync(spec.path)) return null;
  try {
    const face = { src: readFileSync(spec.path), family: spec.family };
    const probe = new PDFDocument({ autoFirstPage: false });
    if (face.family) probe.font(face.src, face.family);
    else probe.font(face.src);
    return face;
  } catch {
    return null;
  }
}

/**
 * The report's fonts: the configured file, else Noto Sans CJK where distributions install it;
 * the bold weight of the same family when it sits next to it. Null when no CJK font is found
 * (the route then refuses rather than render boxes for every Chinese character).
 */
export function loadCjkFonts(configured: string | null): PdfFonts | null {
  const spec = configured ? faceOf(configured) : NOTO_LOCATIONS.filter((p) => existsSync(p)).map(faceOf)[0];
  const regular = spec ? openFace(spec) : null;
  if (!spec || !regular) return null;
  const boldPath = spec.path.replace(/-Regular\.(ttc|otf|ttf)$/i, '-Bold.$1');
  const bold = boldPath !== spec.path ? openFace({ path: boldPath, family: spec.family?.replace(/-Regular$/, '-Bold') }) : null;
  return { regular, bold: bold ?? regular };
}

const KIND = { homework: '作业', exam: '考试', paper: '纸笔测验' } as Record<string, string>;
const TYPE = {
  single_choice: '单选',
  multiple_choice: '多选',
  true_false: '判断',
  fill_blank: '填空',
  math: '计算',
  short_answer: '简答',
  essay: '作文',
  composite: '综合',
} as Record<string, string>;
/** Chinese names of the item flags (the engine's ItemFlag values). */
export const FLAG_LABELS: Record<ItemFlag, string> = {
  too_easy: '过易',
  too_hard: '过难',
  negative_discrimination: '负区分度',
  low_discrimination: '区分度低',
  distractor_unused: '干扰项无人选',
  distractor_attracts_upper: '干扰项吸引高分组',
};
const LEVEL = { class: '班级', school: '学校', county: '区县' } as const;
const GRADE = (g: number) => (g >= 1 && g <= 6 ? `${'一二三四五六'[g - 1]}年级` : g >= 7 && g <= 9 ? `${'七八九'[g - 7]}年级` : g >= 10 && g <= 12 ? `高${'一二三'[g - 10]}` : `${g} 年级`);

const INK = '#1f2937';
const MUTED = '#6b7280';
const RULE = '#d1d5db';
const ACCENT = '#1d4ed8';
const WARN = '#b91c1c';
const HEAD_BG = '#eef2f7';

const fmt = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? '—' : String(Math.round(x * 10 ** digits) / 10 ** digits));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 1000) / 10}%`);
/** China Standard Time has no daylight saving: UTC+8 all year. */
const chinaTime = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'center' | 'right';
}
type Cell = string | { text: string; color?: string };

/**
 * Renders the report. `generatedAt` is printed in every footer (China time). The PDF holds
 * exactly what the report object holds: no names when the report has none.
 */
export function renderReportPdf(r: Report, o: { fonts: PdfFonts; generatedAt: Date }): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: `${r.assignment.title} · 分析报告`, Author: '智教', Subject: `${KIND[r.assignment.kind] ?? r.assignment.kind}分析报告`, CreationDate: o.generatedAt },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', o.fonts.regular.src, o.fonts.regular.family);
  doc.registerFont('cjk-bold', o.fonts.bold.src, o.fonts.bold.family);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };

  // ── title ──
  const kind = KIND[r.assignment.kind] ?? r.assignment.kind;
  doc.font('cjk').fontSize(9).fillColor(MUTED).text(`智教 · ${kind}分析报告`, left, doc.y);
  doc.moveDown(0.3);
  doc.font('cjk-bold').fontSize(20).fillColor(INK).text(r.assignment.title, { width });
  doc.moveDown(0.2);
  const classes = r.scope.classes.map((c) => c.name).join('、') || '—';
  doc
    .font('cjk')
    .fontSize(10)
    .fillColor(MUTED)
    .text(`${kind} · ${r.assignment.subjectName} · ${GRADE(r.assignment.grade)} · ${r.assignment.itemCount} 题，满分 ${fmt(r.assignment.maxScore)} · ${classes}`, { width });
  doc.text(`报告日期：${chinaTime(o.generatedAt).slice(0, 10)}${r.scope.viewer === 'admin' ? ' · 管理视图（仅汇总数据，不含学生姓名）' : ''}`, { width });
  doc.moveDown(0.5);
  doc.moveTo(left, doc.y).lineTo(left + width, doc.y).lineWidth(1).strokeColor(ACCENT).stroke();
  doc.moveDown(0.8);

  const heading = (text: string, need = 60) => {
    ensure(need);
    doc.moveDown(0.4);
    const y = doc.y;
    doc.rect(left, y + 2, 3, 13).fill(ACCENT);
    doc.font('cjk-bold').fontSize(13).fillColor(INK).text(text, left + 10, y, { width: width - 10 });
    doc.x = left;
    doc.moveDown(0.4);
  };
  const note = (text: string) => {
    doc.font('cjk').fontSize(8.5).fillColor(MUTED).text(text, left, doc.y, { width });
    doc.moveDown(0.3);
  };

  // ── summary figures ──
  heading('总体情况');
  const s = r.summary;
  const passRate = s.students > 0 ? (s.students - r.followUp.below) / s.students : null;
  const figures: [string, string][] = [
    ['学生人数', String(s.students)],
    ['平均分', s.mean === null ? '—' : `${fmt(s.mean)} / ${fmt(s.maxScore)}`],
    ['得分率', pct(s.meanPercent)],
    [`及格率（≥${Math.round(r.followUp.threshold * 100)}%）`, pct(passRate)],
    ['中位数', fmt(s.median)],
    ['标准差', fmt(s.sd)],
    ['最高分', fmt(s.max)],
    ['最低分', fmt(s.min)],
    ['信度 α', fmt(r.reliability.alpha, 3)],
    ['KR-20', fmt(r.reliability.kr20, 3)],
    ['测量标准误 SEM', fmt(r.reliability.sem)],
    ['已批改提交', String(s.submissions)],
  ];
  const perRow = 4;
  const gap = 8;
  const boxW = (width - gap * (perRow - 1)) / perRow;
  const boxH = 42;
  ensure(Math.ceil(figures.length / perRow) * (boxH + gap));
  const gridTop = doc.y;
  figures.forEach(([label, value], i) => {
    const x = left + (i % perRow) * (boxW + gap);
    const y = gridTop + Math.floor(i / perRow) * (boxH + gap);
    doc.roundedRect(x, y, boxW, boxH, 4).fillAndStroke('#f8fafc', RULE);
    doc.font('cjk').fontSize(8.5).fillColor(MUTED).text(label, x + 8, y + 6, { width: boxW - 16, lineBreak: false });
    doc.font('cjk-bold').fontSize(14).fillColor(INK).text(value, x + 8, y + 19, { width: boxW - 16, lineBreak: false });
  });
  doc.x = left;
  doc.y = gridTop + Math.ceil(figures.length / perRow) * (boxH + gap);
  note(`每名学生只计最后一次已批改的作答；信度与标准误在题目数和人数较少时仅供参考。`);

  // ── score distribution ──
  heading('分数分布', 230);
  drawHistogram(doc, s.histogram, left, doc.y, width, 190);
  doc.x = left;
  doc.moveDown(0.5);

  // ── table helper: fixed column widths, the header again on every new page ──
  const table = (columns: Column[], rows: Cell[][]) => {
    const pad = 4;
    const size = 8.5;
    const textOf = (c: Cell) => (typeof c === 'string' ? c : c.text);
    const rowHeight = (cells: string[], font: string) => {
      doc.font(font).fontSize(size);
      return Math.max(...cells.map((t, i) => doc.heightOfString(t || ' ', { width: columns[i]!.width - 2 * pad }))) + 2 * pad;
    };
    const headerH = rowHeight(columns.map((c) => c.header), 'cjk-bold');
    const style = {
      columnStyles: columns.map((c) => ({ width: c.width, align: { x: c.align ?? 'left', y: 'center' as const } })),
      defaultStyle: { padding: pad, border: [0, 0, 0.5, 0] as [number, number, number, number], borderColor: RULE, fontSize: size, textColor: INK },
    };
    const start = () => {
      const t = doc.table({ ...style, position: { x: left, y: doc.y } }) as PDFKit.Mixins.PDFTableObject;
      return t.row(columns.map((c) => ({ text: c.header, font: { src: 'cjk-bold' }, backgroundColor: HEAD_BG, type: 'TH' as const })));
    };
    doc.font('cjk').fontSize(size).fillColor(INK);
    ensure(headerH + rowHeight(rows[0]?.map(textOf) ?? [''], 'cjk'));
    let t = start();
    for (const row of rows) {
      const h = rowHeight(row.map(textOf), 'cjk');
      if (doc.y + h > bottom()) {
        t.end();
        doc.addPage();
        t = start();
      }
      doc.font('cjk');
      t.row(row.map((c) => (typeof c === 'string' ? { text: c } : { text: c.text, textColor: c.color ?? INK })));
    }
    t.end();
    doc.x = left;
    doc.moveDown(0.5);
  };

  // ── items ──
  heading('小题分析', 90);
  table(
    [
      { header: '题号', width: 32, align: 'center' },
      { header: '题型', width: 38, align: 'center' },
      { header: '满分', width: 32, align: 'right' },
      { header: '平均分', width: 42, align: 'right' },
      { header: '难度 p', width: 42, align: 'right' },
      { header: '区分度 D', width: 46, align: 'right' },
      { header: '点二列 r', width: 46, align: 'right' },
      { header: '选项分布（*为答案）', width: 113 },
      { header: '提示', width: width - 391 },
    ],
    r.items.map((it) => [
      String(it.position),
      TYPE[it.type] ?? it.type,
      fmt(it.max),
      fmt(it.mean),
      fmt(it.p),
      { text: fmt(it.discrimination), color: it.discrimination !== null && it.discrimination < 0 ? WARN : INK },
      { text: fmt(it.pointBiserial), color: it.pointBiserial !== null && it.pointBiserial < 0 ? WARN : INK },
      it.options?.map((op) => `${op.option}${op.isKey ? '*' : ''} ${op.count}`).join('  ') ?? '—',
      { text: it.flags.map((f) => FLAG_LABELS[f as ItemFlag] ?? f).join('、') || '—', color: it.flags.length ? WARN : MUTED },
    ]),
  );
  note('难度 p = 平均分 ÷ 满分（越大越容易）；区分度 D = 高分组与低分组（各 27%）得分率之差；点二列 r 为该题与其余题总分的相关。');

  // ── knowledge points ──
  heading('知识点掌握情况', 90);
  if (r.knowledgePoints.length)
    table(
      [
        { header: '编码', width: 80 },
        { header: '知识点', width: width - 80 - 80 - 60 - 100 },
        { header: '得分 / 总分', width: 80, align: 'right' },
        { header: '得分率', width: 60, align: 'right' },
        { header: '题号', width: 100 },
      ],
      r.knowledgePoints.map((k) => [
        k.code,
        k.name,
        `${fmt(k.earned)} / ${fmt(k.possible)}`,
        { text: pct(k.share), color: k.share !== null && k.share < r.followUp.threshold ? WARN : INK },
        k.positions.join('、'),
      ]),
    );
  else note('本次题目未标注知识点。');

  // ── students to follow up ──
  heading('需关注学生', 90);
  if (r.followUp.namesShown && r.followUp.students.length)
    table(
      [
        { header: '学号', width: 90 },
        { header: '姓名', width: 80 },
        { header: '班级', width: 110 },
        { header: '得分', width: 60, align: 'right' },
        { header: '得分率', width: 60, align: 'right' },
        { header: '原因', width: width - 400 },
      ],
      r.followUp.students.map((st) => [
        st.studentNo,
        st.name,
        st.className,
        fmt(st.score),
        pct(st.percent),
        st.reason === 'below_threshold' ? `低于 ${Math.round(r.followUp.threshold * 100)}%` : '得分最低',
      ]),
    );
  note(
    r.followUp.namesShown
      ? `得分率低于 ${Math.round(r.followUp.threshold * 100)}% 的学生共 ${r.followUp.below} 人；另列出得分最低的几名学生。`
      : `学生姓名仅对任课教师显示。得分率低于 ${Math.round(r.followUp.threshold * 100)}% 的学生共 ${r.followUp.below} 人。`,
  );

  // ── comparison ──
  heading('对比（仅汇总数据）', 90);
  table(
    [
      { header: '层级', width: 50 },
      { header: '名称', width: width - 50 - 60 - 70 - 150 },
      { header: '人数', width: 60, align: 'right' },
      { header: '得分率', width: 70, align: 'right' },
      { header: '说明', width: 150 },
    ],
    r.comparison.groups.map((g) => [
      LEVEL[g.level],
      g.name,
      g.n === null ? '—' : String(g.n),
      pct(g.meanPercent),
      { text: g.suppressed ? `人数少于 ${r.comparison.minGroupSize} 人，不显示` : g.own ? '本人任教' : '', color: MUTED },
    ]),
  );
  if (r.comparison.note) note(r.comparison.note['zh-CN']);

  // ── footers: page n of m and the time of generation ──
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not start a new page
    const y = doc.page.height - 40;
    doc.moveTo(left, y - 6).lineTo(left + width, y - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font('cjk').fontSize(8).fillColor(MUTED);
    doc.text(`${r.assignment.title} · 生成于 ${chinaTime(o.generatedAt)}（北京时间）`, left, y, { width: width - 100, lineBreak: false });
    doc.text(`第 ${i + 1} 页 / 共 ${range.count} 页`, left + width - 100, y, { width: 100, align: 'right', lineBreak: false });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return done;
}

/** A bar chart of the score distribution with vector primitives: axes, ticks, bin labels, counts. */
function drawHistogram(doc: PDFKit.PDFDocument, bins: Report['summary']['histogram'], x0: number, y0: number, w: number, h: number) {
  const axisLeft = x0 + 34;
  const plotW = w - 44;
  const plotTop = y0 + 12;
  const plotH = h - 50;
  const base = plotTop + plotH;
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const step = Math.max(1, Math.ceil(maxCount / 5));
  const top = step * Math.ceil(maxCount / step);
  doc.font('cjk').fontSize(8).lineWidth(0.5);
  for (let v = 0; v <= top; v += step) {
    const y = base - (v / top) * plotH;
    doc.moveTo(axisLeft, y).lineTo(axisLeft + plotW, y).strokeColor(v === 0 ? '#374151' : '#e5e7eb').stroke();
    doc.fillColor(MUTED).text(String(v), axisLeft - 30, y - 4, { width: 24, align: 'right', lineBreak: false });
  }
  doc.moveTo(axisLeft, plotTop).lineTo(axisLeft, base).strokeColor('#374151').stroke();
  const slot = bins.length ? plotW / bins.length : plotW;
  const edge = (v: number) => String(Math.round(v * 10) / 10);
  bins.forEach((b, i) => {
    const bx = axisLeft + i * slot + slot * 0.15;
    const bw = slot * 0.7;
    const bh = (b.count / top) * plotH;
    if (b.count > 0) doc.rect(bx, base - bh, bw, bh).fill(ACCENT);
    doc.fillColor(INK).text(String(b.count), bx - 4, base - bh - 11, { width: bw + 8, align: 'center', lineBreak: false });
    doc.fillColor(MUTED).text(`${edge(b.from)}–${edge(b.to)}`, axisLeft + i * slot, base + 4, { width: slot, align: 'center', lineBreak: false });
  });
  doc.fillColor(MUTED).text('人数', x0, plotTop - 12, { lineBreak: false });
  doc.text('分数段（左闭右开，最后一段含满分）', axisLeft, base + 20, { width: plotW, align: 'center', lineBreak: false });
  doc.x = x0;
  doc.y = y0 + h;
}
