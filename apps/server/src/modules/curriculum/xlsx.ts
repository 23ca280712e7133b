/**
 * The knowledge-point graph as a spreadsheet: a 知识点 sheet (one point per row, prerequisites as
 * codes separated by commas or 、) and a 领域 sheet. Export and import use the same layout.
 */
import ExcelJS from 'exceljs';
import { AppError } from '../../platform/http/errors.js';
import { cellText } from '../../platform/spreadsheet.js';
import type { Graph, GraphDocument } from './schema.js';

const POINT_HEADERS = ['编码', '名称', '说明', '年级', '领域', '先修知识点'] as const;
const DOMAIN_HEADERS = ['编码', '名称', '英文名称'] as const;

export async function graphToXlsx(g: Graph): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ps = wb.addWorksheet('知识点');
  ps.addRow([...POINT_HEADERS]);
  for (const p of g.points) ps.addRow([p.code, p.name, p.description, p.grade, p.domain ?? '', p.prerequisites.join(', ')]);
  ps.getRow(1).font = { bold: true };
  ps.views = [{ state: 'frozen', ySplit: 1 }];
  [14, 24, 60, 8, 10, 40].forEach((w, i) => (ps.getColumn(i + 1).width = w));
  const ds = wb.addWorksheet('领域');
  ds.addRow([...DOMAIN_HEADERS]);
  for (const d of g.domains) ds.addRow([d.code, d.name, d.nameEn ?? '']);
  ds.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const unreadable = () =>
  new AppError(400, 'curriculum.unreadable_file', {
    zh: '无法读取该文件，请上传由模板填写的 .xlsx 文件或导出的 JSON。',
    en: 'The file cannot be read: upload an .xlsx filled from the template or an exported JSON file.',
  });

/** Reads the spreadsheet into the JSON document shape, with each point's sheet row for error messages. */
export async function xlsxToGraphDocument(buf: Buffer): Promise<{ doc: GraphDocument; rows: number[] }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    throw unreadable();
  }
  const ps = wb.getWorksheet('知识点') ?? wb.worksheets[0];
  if (!ps) throw unreadable();
  const header = (ps.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => cellText(v).trim());
  const col = Object.fromEntries(POINT_HEADERS.map((h) => [h, header.indexOf(h) + 1]));
  const missing = POINT_HEADERS.filter((h) => h !== '说明' && h !== '领域' && h !== '先修知识点' && col[h] === 0);
  if (missing.length)
    throw new AppError(
      422,
      'curriculum.missing_columns',
      { zh: `缺少必需的列：${missing.join('、')}。`, en: `Required columns are missing: ${missing.join(', ')}.` },
      { details: { missingColumns: missing } },
    );
  const doc: GraphDocument = { domains: [], points: [] };
  const rows: number[] = [];
  ps.eachRow((row, n) => {
    if (n === 1) return;
    const get = (h: (typeof POINT_HEADERS)[number]) => (col[h] ? cellText(row.getCell(col[h]).value).trim() : '');
    if (POINT_HEADERS.every((h) => get(h) === '')) return;
    const grade = Number(get('年级'));
    doc.points.push({
      code: get('编码'),
      name: get('名称'),
      description: get('说明'),
      grade: Number.isFinite(grade) ? grade : NaN,
      domain: get('领域') || null,
      prerequisites: get('先修知识点')
        .split(/[,，、;；\s]+/)
        .filter(Boolean),
    });
    rows.push(n);
  });
  const ds = wb.getWorksheet('领域');
  ds?.eachRow((row, n) => {
    if (n === 1) return;
    const [code, name, nameEn] = [1, 2, 3].map((i) => cellText(row.getCell(i).value).trim());
    if (code && name) doc.domains.push({ code, name, nameEn: nameEn || null });
  });
  return { doc, rows };
}
