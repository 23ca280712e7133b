/**
 * Bulk authoring of the common item types in a spreadsheet: a 题目 sheet, one item per row, with
 * the columns 题型, 学科, 年级, 题干, 选项A…选项F, 答案, 解析, 知识点, 难度, 分值, and a 说明
 * sheet explaining the answer formats. The parser checks every row (zod ItemInput and the
 * formats below) and reports every problem; knowledge-point existence is the caller's check.
 *   单选题 答案 B · 多选题 答案 ACD (or A,C,D) · 判断题 答案 对/错 · 填空题 题干 marks blanks as
 *   {{1}} {{2}}, 答案 1=答案|变体;2=… · 数学题 答案 the LaTeX answer.
 */
import ExcelJS from 'exceljs';
import { cellText } from '../../platform/spreadsheet.js';
import type { z } from 'zod';
import { AppError, type Bilingual } from '../../platform/http/errors.js';
import { ItemInput, type ItemType } from './item-schema.js';

const OPTION_KEYS = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export const ITEM_COLUMNS = ['题型', '学科', '年级', '题干', ...OPTION_KEYS.map((k) => `选项${k}`), '答案', '解析', '知识点', '难度', '分值'] as const;
type Column = (typeof ITEM_COLUMNS)[number];
const REQUIRED: Column[] = ['题型', '学科', '年级', '题干', '答案', '知识点', '难度'];

const TYPE_NAMES: Record<string, ItemType> = {
  单选题: 'single_choice',
  单选: 'single_choice',
  单项选择题: 'single_choice',
  多选题: 'multiple_choice',
  多选: 'multiple_choice',
  多项选择题: 'multiple_choice',
  判断题: 'true_false',
  判断: 'true_false',
  填空题: 'fill_blank',
  填空: 'fill_blank',
  数学题: 'math',
  计算题: 'math',
  公式题: 'math',
};
for (const t of ['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'math'] as const) TYPE_NAMES[t] = t;
const SHEET_TYPES = ['单选题', '多选题', '判断题', '填空题', '数学题'];

export interface ItemRowError {
  /** The sheet row (1 is the header). */
  row: number;
  column: string;
  code: string;
  message: Bilingual;
  value: string;
}

const unreadable = () =>
  new AppError(400, 'item.xlsx_unreadable', {
    zh: '无法读取该文件，请上传由题目模板填写的 .xlsx 文件。',
    en: 'The file cannot be read: upload an .xlsx file filled from the item template.',
  });

export async function itemTemplateXlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('题目');
  ws.addRow([...ITEM_COLUMNS]);
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  [8, 10, 6, 50, 16, 16, 16, 16, 16, 16, 24, 40, 24, 6, 6].forEach((w, i) => (ws.getColumn(i + 1).width = w));
  // Text format, so that Excel keeps answers like 1/2 or 007 as typed.
  for (const c of ['题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '知识点'] as Column[])
    ws.getColumn(ITEM_COLUMNS.indexOf(c) + 1).numFmt = '@';
  for (let r = 2; r <= 1000; r++)
    ws.getCell(r, 1).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${SHEET_TYPES.join(',')}"`] };
  const help = wb.addWorksheet('说明');
  help.getColumn(1).width = 16;
  help.getColumn(2).width = 90;
  help.addRows([
    ['列', '填写说明（每行一道题；本表不会被导入）'],
    ['题型', `${SHEET_TYPES.join('、')}。简答题、作文题、综合题请在题库中编辑或用 QTI 题目包导入。`],
    ['学科', '学科编码，例如 math、english。'],
    ['年级', '1–12 的数字，例如 7 表示七年级。'],
    ['题干', '公式写在 $…$ 之间，例如 $x^2-5x+6=0$；填空题用 {{1}}、{{2}} 标出空位；单元格内换行即题干换行。'],
    ['选项A…选项F', '选择题的选项，至少两个；判断题、填空题、数学题留空。'],
    ['答案', '单选：B；多选：ACD 或 A,C,D；判断：对 / 错；填空：1=答案|变体;2=答案（| 分隔可接受的多种写法）；数学题：LaTeX 答案，例如 \\frac{1}{2}。'],
    ['解析', '可选。'],
    ['知识点', '知识点编码，多个用 , 或 、 分隔，例如 M9-EQ-03、M9-EQ-04（须为已发布知识图谱中的编码）。'],
    ['难度', '1（易）– 5（难）的整数。'],
    ['分值', '可选，默认 1。'],
    [],
    ['示例', ''],
  ]);
  help.getRow(1).font = { bold: true };
  const examples = wb.addWorksheet('示例');
  examples.addRows([
    [...ITEM_COLUMNS],
    ['单选题', 'math', 9, '一元二次方程 $x^2-5x+6=0$ 的两根之和是', '$-5$', '$5$', '$6$', '$-6$', '', '', 'B', '由韦达定理可得。', 'M9-EQ-03', 2, 3],
    ['多选题', 'math', 8, '下列各数中是无理数的有', '$\\sqrt{2}$', '$\\frac{22}{7}$', '$\\pi$', '', '', '', 'AC', '', 'M8-NUM-02', 2, 3],
    ['判断题', 'math', 7, '$0$ 既不是正数也不是负数。', '', '', '', '', '', '', '对', '', 'M7-NA-01', 1, 2],
    ['填空题', 'math', 9, '方程 $x^2=9$ 的解是 $x_1=${{1}}，$x_2=${{2}}', '', '', '', '', '', '', '1=3|+3;2=-3', '', 'M9-EQ-02', 2, 4],
    ['数学题', 'math', 8, '化简：$\\frac{x^2-1}{x-1}$', '', '', '', '', '', '', 'x+1', '', 'M8-FR-03', 3, 5],
  ]);
  examples.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const CN_GRADES: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 十一: 11, 十二: 12, 初一: 7, 初二: 8, 初三: 9, 高一: 10, 高二: 11, 高三: 12 };
const TRUE_WORDS = /^(对|正确|是|√|✓|t|true|y|yes)$/i;
const FALSE_WORDS = /^(错|错误|否|×|✗|x|f|false|n|no)$/i;

/** Which column a zod issue's path points at. */
function columnOf(path: PropertyKey[]): Column {
  const [head, second] = path.map(String);
  if (head === 'body') {
    if (second === 'stem') return '题干';
    if (second === 'options') {
      const i = Number(path[2]);
      return Number.isInteger(i) && i < OPTION_KEYS.length ? (`选项${OPTION_KEYS[i]}` as Column) : '选项A';
    }
    return '答案';
  }
  const map: Record<string, Column> = { subject: '学科', grade: '年级', explanation: '解析', knowledgePoints: '知识点', difficulty: '难度', score: '分值' };
  return map[head] ?? '题干';
}

/** Reads the 题目 sheet: every row becomes an item, or errors naming row and column; rows[i] is items[i]'s sheet row. */
export async function xlsxToItems(buf: Buffer): Promise<{ items: ItemInput[]; rows: number[]; errors: ItemRowError[] }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw unreadable();
  }
  const ws = wb.getWorksheet('题目') ?? wb.worksheets[0];
  if (!ws) throw unreadable();
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => cellText(v).trim());
  const col = Object.fromEntries(ITEM_COLUMNS.map((h) => [h, header.indexOf(h) + 1])) as Record<Column, number>;
  const missing = REQUIRED.filter((h) => col[h] === 0);
  if (missing.length)
    throw new AppError(
      422,
      'item.xlsx_missing_columns',
      { zh: `缺少必需的列：${missing.join('、')}。`, en: `Required columns are missing: ${missing.join(', ')}.` },
      { details: { missingColumns: missing } },
    );

  const items: ItemInput[] = [];
  const rows: number[] = [];
  const errors: ItemRowError[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const get = (h: Column) => (col[h] ? cellText(row.getCell(col[h]).value) : '');
    if (ITEM_COLUMNS.every((h) => get(h).trim() === '')) return;
    const rowErrors: ItemRowError[] = [];
    const fail = (column: Column, code: string, zh: string, en: string) =>
      rowErrors.push({ row: n, column, code, value: get(column), message: { zh: `第 ${n} 行「${column}」：${zh}`, en: `Row ${n}, ${column}: ${en}` } });

    const typeText = get('题型').trim();
    const type = TYPE_NAMES[typeText];
    if (!type) {
      const other = ['short_answer', 'essay', 'composite', '简答题', '作文题', '综合题'].includes(typeText);
      fail('题型', 'item.xlsx.unknown_type', other ? '该题型不能用表格导入，请在题库中编辑或用 QTI 题目包导入。' : `应为 ${SHEET_TYPES.join('、')} 之一。`, other ? 'this type cannot be imported from a spreadsheet; use the editor or a QTI package.' : `must be one of ${SHEET_TYPES.join(', ')}.`);
    }
    const gradeText = get('年级').trim().replace(/年级$/, '');
    const grade = CN_GRADES[gradeText] ?? (gradeText === '' ? NaN : Number(gradeText));
    const stem = get('题干');
    const answer = get('答案').trim();
    const num = (h: Column, fallback?: number) => {
      const t = get(h).trim();
      return t === '' && fallback !== undefined ? fallback : t === '' ? NaN : Number(t);
    };
    let body: unknown;
    const options = OPTION_KEYS.flatMap((k) => {
      const text = get(`选项${k}` as Column).trim();
      return text ? [{ key: k, text }] : [];
    });
    if (type === 'single_choice') body = { type, stem, options, answer: answer.toUpperCase() };
    else if (type === 'multiple_choice') {
      const keys = answer.toUpperCase().replace(/[\s,，、;；]+/g, '');
      if (!/^[A-Z]+$/.test(keys)) fail('答案', 'item.xlsx.invalid_answer', '多选题答案应为选项字母，例如 ACD。', 'the answer must be option letters, e.g. ACD.');
      body = { type, stem, options, answer: [...keys] };
    } else if (type === 'true_false') {
      const v = TRUE_WORDS.test(answer) ? true : FALSE_WORDS.test(answer) ? false : null;
      if (v === null) fail('答案', 'item.xlsx.invalid_answer', '判断题答案应为“对”或“错”。', 'the answer must be 对 (true) or 错 (false).');
      body = { type, stem, answer: v ?? false };
    } else if (type === 'fill_blank') {
      const markers = [...stem.matchAll(/\{\{(\d{1,2})\}\}/g)].map((m) => m[1]);
      const segments = answer.split(/[;；]/).map((s) => s.trim()).filter(Boolean);
      const blanks: { id: string; accepted: string[] }[] = [];
      for (const seg of segments) {
        const m = /^(\d{1,2})\s*[=＝]\s*([\s\S]*)$/.exec(seg);
        const id = m ? m[1] : segments.length === 1 && markers.length === 1 ? markers[0] : null;
        if (id === null) {
          fail('答案', 'item.xlsx.invalid_answer', `无法识别“${seg}”，填空题答案格式为 1=答案|变体;2=答案。`, `cannot read "${seg}": write fill-in answers as 1=answer|variant;2=answer.`);
          continue;
        }
        blanks.push({ id, accepted: (m ? m[2] : seg).split(/[|｜]/).map((s) => s.trim()).filter(Boolean) });
      }
      if (markers.length === 0) fail('题干', 'item.xlsx.no_blanks', '填空题题干需用 {{1}}、{{2}} 标出空位。', 'mark the blanks in the stem as {{1}}, {{2}}.');
      body = { type, stem, blanks };
    } else if (type === 'math') body = { type, stem, answer };
    if (rowErrors.length === 0 && type) {
      const parsed = ItemInput.safeParse({
        subject: get('学科').trim(),
        grade,
        body,
        explanation: get('解析'),
        knowledgePoints: get('知识点').split(/[,，、;；\s]+/).filter(Boolean),
        difficulty: num('难度'),
        score: num('分值', 1),
      });
      if (parsed.success) {
        items.push(parsed.data);
        rows.push(n);
      } else
        for (const issue of (parsed.error as z.ZodError).issues) {
          const column = columnOf(issue.path);
          const where = issue.path.join('.');
          fail(column, 'item.xlsx.invalid_value', `${issueZh(issue)}（${where}）`, `${issue.message} (${where})`);
        }
    }
    errors.push(...rowErrors);
  });
  return { items, rows, errors };
}

function issueZh(issue: z.core.$ZodIssue): string {
  if (issue.code === 'too_small') return issue.origin === 'array' ? '数量不足或为空' : issue.origin === 'string' ? '不能为空' : '数值过小';
  if (issue.code === 'too_big') return issue.origin === 'array' ? '数量过多' : issue.origin === 'string' ? '内容过长' : '数值过大';
  if (issue.code === 'invalid_type') return '缺少或格式不正确';
  if (issue.code === 'invalid_format') return '格式不正确';
  if (issue.code === 'custom') {
    if (issue.message.includes('is not one of the options')) return '答案不在选项中';
    if (issue.message.includes('blanks must match')) return '答案中的空与题干中的 {{n}} 标记不一致';
    if (issue.message.includes('unique')) return '不能重复';
  }
  return `不正确：${issue.message}`;
}
