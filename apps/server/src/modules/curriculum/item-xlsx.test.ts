import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors.js';
import { ITEM_COLUMNS, itemTemplateXlsx, xlsxToItems } from './item-xlsx.js';

async function sheet(rows: (string | number)[][], header: readonly string[] = ITEM_COLUMNS): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('题目');
  ws.addRow([...header]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
//            题型 学科 年级 题干 A B C D E F 答案 解析 知识点 难度 分值
const row = (type: string, stem: string, opts: string[], answer: string | number, extra: Partial<{ kp: string; difficulty: number | string; grade: number | string; score: number | string }> = {}) => [
  type,
  'math',
  extra.grade ?? 9,
  stem,
  ...[0, 1, 2, 3, 4, 5].map((i) => opts[i] ?? ''),
  answer,
  '解析：略。',
  extra.kp ?? 'M9-EQ-03、M9-EQ-04',
  extra.difficulty ?? 2,
  extra.score ?? '',
];

describe('item spreadsheet', () => {
  it('writes a template whose header the parser accepts', async () => {
    const buf = await itemTemplateXlsx();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    expect((wb.getWorksheet('题目')!.getRow(1).values as string[]).slice(1)).toEqual([...ITEM_COLUMNS]);
    expect(await xlsxToItems(buf)).toEqual({ items: [], rows: [], errors: [] });
  });

  it('reads every common type', async () => {
    const { items, rows, errors } = await xlsxToItems(
      await sheet([
        row('单选题', '一元二次方程 $x^2-5x+6=0$ 的两根之和是', ['$-5$', '$5$', '$6$', '$-6$'], 'b', { score: 3 }),
        row('多选题', '下列是无理数的有', ['$\\sqrt{2}$', '$\\frac{22}{7}$', '$\\pi$'], 'A、C'),
        row('判断题', '若 $a<b$，则 $a^2<b^2$。', [], '错', { grade: '九年级' }),
        row('填空题', '方程 $x^2=9$ 的解是 $x_1=${{1}}，$x_2=${{2}}', [], '1=3|+3；2=-3'),
        row('数学题', '化简：$\\frac{x^2-1}{x-1}$', [], 'x+1', { difficulty: 3 }),
        row('填空题', '$2^{10}=${{1}}', [], 1024),
      ]),
    );
    expect(errors).toEqual([]);
    expect(rows).toEqual([2, 3, 4, 5, 6, 7]);
    expect(items.map((i) => i.body.type)).toEqual(['single_choice', 'multiple_choice', 'true_false', 'fill_blank', 'math', 'fill_blank']);
    expect(items[0]).toMatchObject({ subject: 'math', grade: 9, score: 3, difficulty: 2, knowledgePoints: ['M9-EQ-03', 'M9-EQ-04'], body: { answer: 'B' } });
    expect(items[1].body).toMatchObject({ answer: ['A', 'C'], options: [{ key: 'A' }, { key: 'B' }, { key: 'C' }] });
    expect(items[2].body).toMatchObject({ answer: false });
    expect(items[3].body).toMatchObject({ blanks: [{ id: '1', accepted: ['3', '+3'] }, { id: '2', accepted: ['-3'] }] });
    expect(items[4]).toMatchObject({ score: 1, body: { answer: 'x+1', tolerance: 0, unit: null } });
    expect(items[5].body).toMatchObject({ blanks: [{ id: '1', accepted: ['1024'] }] });
  });

  it('names every bad row and column', async () => {
    const { items, errors } = await xlsxToItems(
      await sheet([
        row('单选题', '好题', ['1', '2'], 'A'),
        row('单选题', '答案不在选项中', ['1', '2'], 'E'),
        row('判断题', '判断', [], '也许'),
        row('作文题', '写作', [], ''),
        row('填空题', '没有空位', [], '1=答'),
        row('数学题', '无知识点', [], 'x', { kp: '', difficulty: 9 }),
      ]),
    );
    expect(items).toHaveLength(1);
    const by = errors.map((e) => [e.row, e.column, e.code]);
    expect(by).toEqual(
      expect.arrayContaining([
        [3, '答案', 'item.xlsx.invalid_value'],
        [4, '答案', 'item.xlsx.invalid_answer'],
        [5, '题型', 'item.xlsx.unknown_type'],
        [6, '题干', 'item.xlsx.no_blanks'],
        [7, '知识点', 'item.xlsx.invalid_value'],
        [7, '难度', 'item.xlsx.invalid_value'],
      ]),
    );
    expect(errors.every((e) => e.message.zh.startsWith(`第 ${e.row} 行`) && e.message.en.startsWith(`Row ${e.row}`))).toBe(true);
    expect(errors.find((e) => e.row === 3)!.message.zh).toContain('答案不在选项中');
    expect(errors.find((e) => e.row === 4)!.value).toBe('也许');
  });

  it('rejects unreadable files and missing columns', async () => {
    await expect(xlsxToItems(Buffer.from('nope'))).rejects.toMatchObject({ code: 'item.xlsx_unreadable' });
    const err = await xlsxToItems(await sheet([], ['题型', '题干'])).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('item.xlsx_missing_columns');
    expect(err.details.missingColumns).toEqual(['学科', '年级', '答案', '知识点', '难度']);
  });
});
