/** Spreadsheet helpers shared by every module that reads uploaded .xlsx files. */
import type ExcelJS from 'exceljs';

/** The text a person sees in a cell: rich text joined, formulas by their result, dates as yyyy-mm-dd. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return '';
  }
  return String(v);
}
