/**
 * Items as IMS QTI 3.0 (namespace http://www.imsglobal.org/xsd/imsqtiasi_v3p0) and QTI 3.0
 * content packages (a zip with imsmanifest.xml and one qti-assessment-item file per item).
 *
 * Layout of an item written by Zhijiao (what qtiToItem reads back exactly):
 * - qti-response-declaration per response: RESPONSE for a choice / text / extended-text
 *   interaction, RESPONSE_n for blank n of a fill-in-the-blank stem; in a composite item every
 *   part's identifiers carry the prefix P<k>_ (P1_RESPONSE, P2_RESPONSE_1 …).
 * - qti-outcome-declaration SCORE, MAXSCORE (default value = the item's score) and FEEDBACK.
 * - qti-item-body carries the Zhijiao metadata as data-* attributes (QTI 3 allows data-* on body
 *   content): data-zj-type, data-zj-subject, data-zj-grade, data-zj-knowledge-points (a JSON
 *   array of codes), data-zj-difficulty, data-zj-score. The stem is XHTML in <div class="zj-stem">
 *   (text escaped, $…$ LaTeX kept as text, line breaks as <br/>, Markdown images as <img>); a
 *   composite's parts are <div class="zj-part" data-zj-type data-zj-score> with their own stem.
 * - Settings QTI has no place for are data-* attributes of the interaction: data-zj-partial-credit
 *   (multiple choice), data-zj-ignore-width / data-zj-ignore-spaces (blanks; ignoreCase is the
 *   map entries' case-sensitive), data-zj-tolerance / data-zj-unit (math), data-zj-min-words (essay).
 * - Short-answer key points and essay dimensions are in qti-rubric-block view="scorer"
 *   data-zj-for="<response id>", readable by a human scorer and restored by the import.
 * - The explanation is qti-modal-feedback identifier="EXPLANATION", shown after the attempt
 *   (response processing sets FEEDBACK to it).
 * Items from other systems (Canvas, Moodle …) import with the caller's defaults for subject,
 * grade, knowledge points and difficulty; the result is not validated here: callers run
 * ItemInput.safeParse and report what is missing (e.g. knowledge points, key points).
 */
import JSZip from 'jszip';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../platform/http/errors.js';
import type { ItemBody, ItemInput } from './item-schema.js';

export const QTI_NS = 'http://www.imsglobal.org/xsd/imsqtiasi_v3p0';
const QTI_XSD = 'https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd';
const CP_NS = 'http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1';
const LOM_NS = 'http://ltsc.ieee.org/xsd/LOM';
const ITEM_RESOURCE = 'imsqti_item_xmlv3p0';
const MAX_PACKAGE_ITEMS = 2000;
const MAX_PACKAGE_CHARS = 50_000_000;

export interface QtiDefaults {
  subject: string;
  grade: number;
  /** For items without Zhijiao metadata; default [] (ItemInput validation then asks for them). */
  knowledgePoints?: string[];
  /** For items without Zhijiao metadata; default 3. */
  difficulty?: number;
}

// ---------------------------------------------------------------- errors

const invalid = (reason: string, details: Record<string, unknown> = {}) =>
  new AppError(
    422,
    'item.qti_invalid',
    { zh: `QTI 内容无效：${reason}`, en: `Invalid QTI content: ${reason}` },
    { details: { reason, ...details } },
  );
const unreadable = () =>
  new AppError(400, 'item.qti_unreadable', {
    zh: '无法读取该文件：请上传 QTI 3.0 题目包（.zip）。',
    en: 'The file cannot be read: upload a QTI 3.0 content package (.zip).',
  });
const unsupported = (what: string) =>
  new AppError(
    422,
    'item.qti_unsupported',
    { zh: `不支持的 QTI 题型：${what}。`, en: `Unsupported QTI interaction: ${what}.` },
    { details: { interaction: what } },
  );

// ---------------------------------------------------------------- writing

/** XML 1.0 cannot carry these control characters even as references. */
const xmlSafe = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
const esc = (s: string) => xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
const attr = (s: string | number | boolean) =>
  esc(String(s)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

const IMAGE = /!\[([^\]\n]*)\]\(([^)\s]+)\)/g;

/** Rich text (LaTeX in $…$, Markdown images, line breaks) as inline XHTML. */
export function richToXhtml(s: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(IMAGE)) {
    out += esc(s.slice(last, m.index)).replace(/\n/g, '<br/>');
    out += `<img src="${attr(m[2])}" alt="${attr(m[1])}"/>`;
    last = m.index + m[0].length;
  }
  return out + esc(s.slice(last)).replace(/\n/g, '<br/>');
}

interface Out {
  decls: string[];
  rules: string[];
  rubrics: string[];
}

const value = (v: string) => `<qti-value>${esc(v)}</qti-value>`;
const float = (n: number) => `<qti-base-value base-type="float">${n}</qti-base-value>`;
const addToScore = (expr: string) =>
  `<qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/>${expr}</qti-sum></qti-set-outcome-value>`;
const ifCorrect = (rid: string, weight: number) =>
  `<qti-response-condition><qti-response-if><qti-match><qti-variable identifier="${rid}"/><qti-correct identifier="${rid}"/></qti-match>${addToScore(float(weight))}</qti-response-if></qti-response-condition>`;

type Part = Exclude<ItemBody, { type: 'composite' }>;

/** One question's stem and interaction(s); declarations, scoring rules and rubrics go to `out`. */
function renderPart(b: Part, prefix: string, weight: number, out: Out): string {
  const rid = `${prefix}RESPONSE`;
  const stem = `<div class="zj-stem">${richToXhtml(b.stem)}</div>`;
  switch (b.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'true_false': {
      const multiple = b.type === 'multiple_choice';
      const correct = b.type === 'true_false' ? [b.answer ? 'TRUE' : 'FALSE'] : multiple ? b.answer : [b.answer];
      out.decls.push(
        `<qti-response-declaration identifier="${rid}" cardinality="${multiple ? 'multiple' : 'single'}" base-type="identifier"><qti-correct-response>${correct.map(value).join('')}</qti-correct-response></qti-response-declaration>`,
      );
      out.rules.push(ifCorrect(rid, weight));
      const choices =
        b.type === 'true_false'
          ? '<qti-simple-choice identifier="TRUE">正确</qti-simple-choice><qti-simple-choice identifier="FALSE">错误</qti-simple-choice>'
          : b.options.map((o) => `<qti-simple-choice identifier="${attr(o.key)}">${richToXhtml(o.text)}</qti-simple-choice>`).join('');
      const extra = b.type === 'multiple_choice' ? ` data-zj-partial-credit="${b.partialCredit}"` : '';
      return `${stem}<qti-choice-interaction response-identifier="${rid}" shuffle="false" max-choices="${multiple ? 0 : 1}" data-zj-type="${b.type}"${extra}>${choices}</qti-choice-interaction>`;
    }
    case 'fill_blank': {
      const ids = new Set(b.blanks.map((x) => x.id));
      const total = b.blanks.reduce((s, x) => s + x.score, 0);
      for (const x of b.blanks)
        out.decls.push(
          `<qti-response-declaration identifier="${rid}_${x.id}" cardinality="single" base-type="string"><qti-correct-response>${value(x.accepted[0])}</qti-correct-response><qti-mapping default-value="0">${x.accepted
            .map((a) => `<qti-map-entry map-key="${attr(a)}" mapped-value="${x.score}" case-sensitive="${!x.ignoreCase}"/>`)
            .join('')}</qti-mapping></qti-response-declaration>`,
        );
      out.rules.push(
        `<qti-set-outcome-value identifier="SCORE"><qti-sum><qti-variable identifier="SCORE"/><qti-product>${float(weight / total)}<qti-sum>${b.blanks
          .map((x) => `<qti-map-response identifier="${rid}_${x.id}"/>`)
          .join('')}</qti-sum></qti-product></qti-sum></qti-set-outcome-value>`,
      );
      const byId = new Map(b.blanks.map((x) => [x.id, x]));
      const body = richToXhtml(b.stem).replace(/\{\{(\d{1,2})\}\}/g, (m, id: string) => {
        const x = byId.get(id);
        if (!x || !ids.has(id)) return m;
        ids.delete(id); // each blank once: a repeated marker stays text
        return `<qti-text-entry-interaction response-identifier="${rid}_${id}" data-zj-blank="${id}" data-zj-ignore-width="${x.ignoreWidth}" data-zj-ignore-spaces="${x.ignoreSpaces}"/>`;
      });
      return `<div class="zj-stem">${body}</div>`;
    }
    case 'math': {
      out.decls.push(
        `<qti-response-declaration identifier="${rid}" cardinality="single" base-type="string"><qti-correct-response>${value(b.answer)}</qti-correct-response></qti-response-declaration>`,
      );
      out.rules.push(ifCorrect(rid, weight)); // exact LaTeX match for other players; Zhijiao marks equivalent forms within the tolerance
      const unit = b.unit === null ? '' : ` data-zj-unit="${attr(b.unit)}"`;
      return `${stem}<div class="zj-answer"><qti-text-entry-interaction response-identifier="${rid}" data-zj-type="math" data-zj-tolerance="${b.tolerance}"${unit}/></div>`;
    }
    case 'short_answer': {
      out.decls.push(
        `<qti-response-declaration identifier="${rid}" cardinality="single" base-type="string"><qti-correct-response>${value(b.referenceAnswer)}</qti-correct-response></qti-response-declaration>`,
      );
      out.rubrics.push(
        `<qti-rubric-block view="scorer" use="scoring" data-zj-for="${rid}"><qti-content-body><div class="zj-reference-answer">${richToXhtml(b.referenceAnswer)}</div><ol class="zj-key-points">${b.keyPoints
          .map(
            (k) =>
              `<li data-zj-id="${attr(k.id)}" data-zj-score="${k.score}" data-zj-variants="${attr(JSON.stringify(k.variants))}">${richToXhtml(k.meaning)}</li>`,
          )
          .join('')}</ol></qti-content-body></qti-rubric-block>`,
      );
      return `${stem}<qti-extended-text-interaction response-identifier="${rid}" data-zj-type="short_answer"/>`;
    }
    case 'essay': {
      out.decls.push(`<qti-response-declaration identifier="${rid}" cardinality="single" base-type="string"/>`);
      out.rubrics.push(
        `<qti-rubric-block view="scorer" use="scoring" data-zj-for="${rid}"><qti-content-body>${b.dimensions
          .map(
            (d) =>
              `<div class="zj-dimension" data-zj-id="${attr(d.id)}" data-zj-min="${d.min}" data-zj-max="${d.max}"><p class="zj-dimension-name">${richToXhtml(d.name)}</p><ul>${d.levels
                .map((l) => `<li data-zj-score="${l.score}">${richToXhtml(l.descriptor)}</li>`)
                .join('')}</ul></div>`,
          )
          .join('')}</qti-content-body></qti-rubric-block>`,
      );
      const words = b.minWords === null ? '' : ` data-zj-min-words="${b.minWords}"`;
      return `${stem}<qti-extended-text-interaction response-identifier="${rid}" data-zj-type="essay"${words}/>`;
    }
  }
}

function plainTitle(item: ItemInput): string {
  const t = item.body.stem.replace(IMAGE, '').replace(/\{\{\d{1,2}\}\}/g, '____').replace(/\s+/g, ' ').trim();
  return t.length > 60 ? `${t.slice(0, 59)}…` : t || item.body.type;
}

const identifierOf = (id: string | undefined) => `zj-${(id ?? 'item').replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** A Zhijiao item as a QTI 3.0 qti-assessment-item document. */
export function itemToQti(item: ItemInput & { id?: string }): string {
  const b = item.body;
  const out: Out = { decls: [], rules: [], rubrics: [] };
  let content: string;
  if (b.type === 'composite') {
    const parts = b.parts
      .map((p, i) => {
        const inner = renderPart(p.body, `P${i + 1}_`, p.score, out);
        return `<div class="zj-part" data-zj-part="${i + 1}" data-zj-type="${p.body.type}" data-zj-score="${p.score}">${inner}</div>`;
      })
      .join('');
    content = `<div class="zj-stem">${richToXhtml(b.stem)}</div>${parts}`;
  } else content = renderPart(b, '', item.score, out);
  const meta = [
    `data-zj-type="${b.type}"`,
    `data-zj-subject="${attr(item.subject)}"`,
    `data-zj-grade="${item.grade}"`,
    `data-zj-knowledge-points="${attr(JSON.stringify(item.knowledgePoints))}"`,
    `data-zj-difficulty="${item.difficulty}"`,
    `data-zj-score="${item.score}"`,
  ].join(' ');
  const rules = [...out.rules];
  if (item.explanation)
    rules.push('<qti-set-outcome-value identifier="FEEDBACK"><qti-base-value base-type="identifier">EXPLANATION</qti-base-value></qti-set-outcome-value>');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<qti-assessment-item xmlns="${QTI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${QTI_NS} ${QTI_XSD}" identifier="${attr(identifierOf(item.id))}" title="${attr(plainTitle(item))}" adaptive="false" time-dependent="false" xml:lang="zh-CN">`,
    ...out.decls,
    '<qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"><qti-default-value><qti-value>0</qti-value></qti-default-value></qti-outcome-declaration>',
    `<qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float"><qti-default-value><qti-value>${item.score}</qti-value></qti-default-value></qti-outcome-declaration>`,
    '<qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>',
    `<qti-item-body ${meta}>${out.rubrics.join('')}${content}</qti-item-body>`,
    rules.length ? `<qti-response-processing>${rules.join('')}</qti-response-processing>` : '',
    item.explanation
      ? `<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION" show-hide="show" title="解析"><qti-content-body><div class="zj-explanation">${richToXhtml(item.explanation)}</div></qti-content-body></qti-modal-feedback>`
      : '',
    '</qti-assessment-item>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

// ---------------------------------------------------------------- reading

type XNode = Record<string, unknown>;
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: true,
});

const tagOf = (n: XNode) => Object.keys(n).find((k) => k !== ':@') ?? '';
const localOf = (n: XNode) => tagOf(n).replace(/^[^:]*:/, '');
const isText = (n: XNode) => '#text' in n;
const kids = (n: XNode): XNode[] => (isText(n) ? [] : ((n[tagOf(n)] as XNode[] | undefined) ?? []));
const attrs = (n: XNode) => (n[':@'] ?? {}) as Record<string, string>;
const classes = (n: XNode) => (attrs(n).class ?? '').split(/\s+/);
const children = (n: XNode, name: string) => kids(n).filter((k) => !isText(k) && localOf(k) === name);
const child = (n: XNode, name: string) => children(n, name)[0];
function descendants(n: XNode, test: (k: XNode) => boolean, acc: XNode[] = []): XNode[] {
  for (const k of kids(n)) {
    if (isText(k)) continue;
    if (test(k)) acc.push(k);
    descendants(k, test, acc);
  }
  return acc;
}
const textOf = (n: XNode): string => (isText(n) ? String(n['#text']) : kids(n).map(textOf).join(''));
const byClass = (n: XNode, cls: string) => kids(n).find((k) => !isText(k) && classes(k).includes(cls));

const BLOCKS = new Set(['p', 'div', 'li', 'ul', 'ol', 'table', 'tr', 'blockquote', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'qti-prompt']);
const isInteraction = (n: XNode) => /^qti-.*-interaction$/.test(localOf(n));

/**
 * XHTML back to rich text. exact: Zhijiao's own output, whose text nodes are the original text;
 * otherwise HTML whitespace rules (runs collapse, blocks become lines).
 */
function toRich(nodes: XNode[], exact: boolean, onInteraction: (n: XNode) => string = () => ''): string {
  const walk = (ns: XNode[]): string =>
    ns
      .map((n) => {
        if (isText(n)) return exact ? String(n['#text']) : String(n['#text']).replace(/[ \t\n\r\f]+/g, ' '); // HTML collapses ASCII whitespace only, not &#160;
        const name = localOf(n);
        if (name === 'br') return '\n';
        if (name === 'img') return `![${attrs(n).alt ?? ''}](${attrs(n).src ?? ''})`;
        if (isInteraction(n)) return onInteraction(n);
        if (name === 'qti-rubric-block' || name === 'qti-modal-feedback' || name === 'qti-feedback-block' || name === 'qti-feedback-inline') return '';
        const inner = walk(kids(n));
        return BLOCKS.has(name) && !exact ? `\n${inner}\n` : inner;
      })
      .join('');
  const s = walk(nodes);
  return exact ? s : s.replace(/[ \t]*\n[ \t]*/g, '\n').replace(/\n{2,}/g, '\n').trim();
}

interface Decl {
  cardinality: string;
  correct: string[];
  mapping: { key: string; value: number; caseSensitive: string | undefined }[];
}

function declarations(root: XNode): Map<string, Decl> {
  const m = new Map<string, Decl>();
  for (const d of children(root, 'qti-response-declaration')) {
    const cr = child(d, 'qti-correct-response');
    const mp = child(d, 'qti-mapping');
    m.set(attrs(d).identifier ?? '', {
      cardinality: attrs(d).cardinality ?? 'single',
      correct: cr ? children(cr, 'qti-value').map(textOf) : [],
      mapping: mp
        ? children(mp, 'qti-map-entry').map((e) => ({ key: attrs(e)['map-key'] ?? '', value: Number(attrs(e)['mapped-value'] ?? 0), caseSensitive: attrs(e)['case-sensitive'] }))
        : [],
    });
  }
  return m;
}

/** Validates and parses an XML document; returns its root element. */
function parseXml(xml: string, file?: string): XNode {
  const text = xml.replace(/^\ufeff/, '');
  const ok = XMLValidator.validate(text);
  if (ok !== true) throw invalid(`${ok.err.msg} (line ${ok.err.line})`, { file, line: ok.err.line });
  const root = (parser.parse(text) as XNode[]).find((n) => !isText(n) && !tagOf(n).startsWith('?'));
  if (!root) throw invalid('empty document', { file });
  return root;
}

const TRUE_WORDS = /^(true|t|yes|对|正确|是|√|✓)$/i;
const FALSE_WORDS = /^(false|f|no|错|错误|否|×|✗)$/i;
const num = (s: string | undefined, fallback: number) => (s === undefined || s === '' ? fallback : Number(s));
const bool = (s: string | undefined, fallback: boolean) => (s === undefined ? fallback : s === 'true');

/** A QTI 3.0 qti-assessment-item as a Zhijiao item (not yet validated: see the module comment). */
export function qtiToItem(xml: string, defaults: QtiDefaults): ItemInput {
  const root = parseXml(xml);
  const rootName = localOf(root);
  if (rootName !== 'qti-assessment-item')
    throw invalid(rootName === 'assessmentItem' ? 'QTI 2.x items are not supported; export as QTI 3.0' : `expected qti-assessment-item, found ${rootName}`);
  const decls = declarations(root);
  const decl = (id: string | undefined): Decl => decls.get(id ?? '') ?? { cardinality: 'single', correct: [], mapping: [] };
  const body = child(root, 'qti-item-body');
  if (!body) throw invalid('qti-item-body is missing');
  const meta = attrs(body);
  const exact = meta['data-zj-type'] !== undefined;
  const rubrics = new Map(descendants(body, (n) => localOf(n) === 'qti-rubric-block').map((r) => [attrs(r)['data-zj-for'] ?? '', r]));
  const maxScore = children(root, 'qti-outcome-declaration').find((o) => attrs(o).identifier === 'MAXSCORE');
  const maxValue = maxScore && child(maxScore, 'qti-default-value') ? textOf(child(child(maxScore, 'qti-default-value'), 'qti-value') ?? {}) : '';
  const feedback = children(root, 'qti-modal-feedback').find((f) => attrs(f).identifier === 'EXPLANATION');
  const fbBody = feedback ? child(feedback, 'qti-content-body') : undefined;
  const explanation = fbBody ? (exact && byClass(fbBody, 'zj-explanation') ? toRich(kids(byClass(fbBody, 'zj-explanation')!), true) : toRich(kids(fbBody), false)) : '';

  const choicePart = (inter: XNode, stem: string, zjType?: string): Part => {
    const d = decl(attrs(inter)['response-identifier']);
    const choices = children(inter, 'qti-simple-choice');
    const ids = choices.map((c) => attrs(c).identifier ?? '');
    const texts = choices.map((c) => toRich(kids(c), exact));
    const tfByIds = ids.length === 2 && ids.includes('TRUE') && ids.includes('FALSE');
    const tfByWords = d.cardinality === 'single' && texts.length === 2 && texts.some((t) => TRUE_WORDS.test(t.trim())) && texts.some((t) => FALSE_WORDS.test(t.trim()));
    if (zjType === 'true_false' || (!zjType && (tfByIds || tfByWords))) {
      const chosen = ids.indexOf(d.correct[0] ?? '');
      const answer = tfByIds ? d.correct[0] === 'TRUE' : chosen >= 0 && TRUE_WORDS.test(texts[chosen].trim());
      return { type: 'true_false', stem, answer };
    }
    const letters = ids.every((i) => /^[A-Z]$/.test(i)) && new Set(ids).size === ids.length;
    const keyOf = (id: string) => (letters ? id : String.fromCharCode(65 + ids.indexOf(id)));
    const options = choices.map((_, i) => ({ key: keyOf(ids[i]), text: texts[i] }));
    const multiple = zjType ? zjType === 'multiple_choice' : d.cardinality === 'multiple' || Number(attrs(inter)['max-choices'] ?? 1) !== 1;
    const answer = d.correct.map((c) => (ids.includes(c) ? keyOf(c) : c));
    if (multiple) {
      const pc = attrs(inter)['data-zj-partial-credit'];
      return { type: 'multiple_choice', stem, options, answer, partialCredit: (pc ?? 'none') as 'none' | 'proportional' | 'lenient' };
    }
    return { type: 'single_choice', stem, options, answer: answer[0] ?? '' };
  };

  const blankOf = (inter: XNode, id: string) => {
    const a = attrs(inter);
    const d = decl(a['response-identifier']);
    const accepted = exact ? d.mapping.map((e) => e.key) : [...new Set([...d.correct, ...d.mapping.filter((e) => e.value > 0).map((e) => e.key)])];
    if (exact && accepted.length === 0) accepted.push(...d.correct);
    const positive = d.mapping.find((e) => e.value > 0);
    return {
      id,
      accepted,
      ignoreWidth: bool(a['data-zj-ignore-width'], true),
      ignoreSpaces: bool(a['data-zj-ignore-spaces'], true),
      ignoreCase: d.mapping[0]?.caseSensitive === 'false',
      score: positive ? positive.value : 1,
    };
  };

  const textPart = (inter: XNode, stem: string): Part => {
    const a = attrs(inter);
    return { type: 'math', stem, answer: decl(a['response-identifier']).correct[0] ?? '', tolerance: num(a['data-zj-tolerance'], 0), unit: a['data-zj-unit'] ?? null };
  };

  const extendedPart = (inter: XNode, stem: string, zjType?: string): Part => {
    const a = attrs(inter);
    const rid = a['response-identifier'] ?? '';
    const rubric = rubrics.get(rid);
    const content = rubric ? (child(rubric, 'qti-content-body') ?? rubric) : undefined;
    if (zjType === 'essay')
      return {
        type: 'essay',
        stem,
        minWords: a['data-zj-min-words'] === undefined ? null : Number(a['data-zj-min-words']),
        dimensions: (content ? kids(content).filter((k) => !isText(k) && classes(k).includes('zj-dimension')) : []).map((dim) => ({
          id: attrs(dim)['data-zj-id'] ?? '',
          name: toRich(kids(byClass(dim, 'zj-dimension-name') ?? {}), true),
          min: num(attrs(dim)['data-zj-min'], 0),
          max: num(attrs(dim)['data-zj-max'], 0),
          levels: descendants(dim, (n) => localOf(n) === 'li').map((l) => ({ score: num(attrs(l)['data-zj-score'], 0), descriptor: toRich(kids(l), true) })),
        })),
      };
    const list = content ? descendants(content, (n) => classes(n).includes('zj-key-points'))[0] : undefined;
    return {
      type: 'short_answer',
      stem,
      referenceAnswer: decl(rid).correct[0] ?? '',
      keyPoints: (list ? children(list, 'li') : []).map((li) => ({
        id: attrs(li)['data-zj-id'] ?? '',
        meaning: toRich(kids(li), true),
        variants: JSON.parse(attrs(li)['data-zj-variants'] ?? '[]') as string[],
        score: num(attrs(li)['data-zj-score'], 1),
      })),
    };
  };

  /** A Zhijiao part (or simple item): its stem div and its interaction(s) inside `container`. */
  const zjPart = (container: XNode, type: string): Part => {
    const stemDiv = byClass(container, 'zj-stem');
    const inters = descendants(container, isInteraction);
    if (type === 'fill_blank') {
      const blanks: ReturnType<typeof blankOf>[] = [];
      const stem = toRich(kids(stemDiv ?? {}), true, (n) => {
        const id = attrs(n)['data-zj-blank'] ?? String(blanks.length + 1);
        blanks.push(blankOf(n, id));
        return `{{${id}}}`;
      });
      return { type: 'fill_blank', stem, blanks };
    }
    const stem = toRich(kids(stemDiv ?? {}), true);
    const inter = inters.find((n) => !stemDiv || !descendants(stemDiv, (k) => k === n).length);
    if (!inter) throw invalid(`no interaction for a ${type} question`);
    if (type === 'math') return textPart(inter, stem);
    if (type === 'short_answer' || type === 'essay') return extendedPart(inter, stem, type);
    if (type === 'single_choice' || type === 'multiple_choice' || type === 'true_false') return choicePart(inter, stem, type);
    throw invalid(`unknown data-zj-type ${type}`);
  };

  let itemBody: ItemBody;
  if (exact) {
    const type = meta['data-zj-type'];
    if (type === 'composite') {
      const parts = kids(body).filter((k) => !isText(k) && classes(k).includes('zj-part'));
      itemBody = {
        type: 'composite',
        stem: toRich(kids(byClass(body, 'zj-stem') ?? {}), true),
        parts: parts.map((p) => ({ body: zjPart(p, attrs(p)['data-zj-type'] ?? ''), score: num(attrs(p)['data-zj-score'], 1) })),
      };
    } else itemBody = zjPart(body, type);
  } else itemBody = foreignBody(body);

  function foreignBody(b: XNode): ItemBody {
    const inters = descendants(b, isInteraction);
    for (const n of inters)
      if (!['qti-choice-interaction', 'qti-text-entry-interaction', 'qti-extended-text-interaction'].includes(localOf(n))) throw unsupported(localOf(n));
    if (inters.length === 0) throw unsupported('none (the item has no interaction)');
    const entries = inters.filter((n) => localOf(n) === 'qti-text-entry-interaction');
    const blocks = inters.filter((n) => localOf(n) !== 'qti-text-entry-interaction');
    const promptOf = (n: XNode) => (child(n, 'qti-prompt') ? toRich(kids(child(n, 'qti-prompt')), false) : '');
    const join = (...ss: string[]) => ss.filter(Boolean).join('\n');
    const blockPart = (n: XNode, stem: string): Part => (localOf(n) === 'qti-choice-interaction' ? choicePart(n, stem) : extendedPart(n, stem));
    if (blocks.length === 0) {
      const blanks: ReturnType<typeof blankOf>[] = [];
      const stem = toRich(kids(b), false, (n) => {
        const id = String(blanks.length + 1);
        blanks.push(blankOf(n, id));
        return `{{${id}}}`;
      });
      return { type: 'fill_blank', stem, blanks };
    }
    if (entries.length > 0) throw unsupported('text entries mixed with other interactions');
    const shared = toRich(kids(b), false);
    if (blocks.length === 1) return blockPart(blocks[0], join(shared, promptOf(blocks[0])));
    return { type: 'composite', stem: shared, parts: blocks.map((n) => ({ body: blockPart(n, promptOf(n)), score: 1 })) };
  }

  const zjKps = meta['data-zj-knowledge-points'];
  return {
    subject: exact ? (meta['data-zj-subject'] ?? defaults.subject) : defaults.subject,
    grade: exact ? num(meta['data-zj-grade'], defaults.grade) : defaults.grade,
    body: itemBody,
    explanation,
    knowledgePoints: exact && zjKps ? (JSON.parse(zjKps) as string[]) : (defaults.knowledgePoints ?? []),
    difficulty: exact ? num(meta['data-zj-difficulty'], defaults.difficulty ?? 3) : (defaults.difficulty ?? 3),
    score: num(exact ? (meta['data-zj-score'] ?? maxValue) : maxValue, 1),
  };
}

// ---------------------------------------------------------------- packages

/** A QTI 3.0 content package: imsmanifest.xml plus items/<identifier>.xml per item. */
export async function packageItems(list: (ItemInput & { id?: string })[]): Promise<Buffer> {
  const zip = new JSZip();
  const resources = list.map((item, i) => {
    const ident = identifierOf(item.id ?? `item-${i + 1}`);
    const href = `items/${ident}.xml`;
    zip.file(href, itemToQti({ ...item, id: item.id ?? `item-${i + 1}` }));
    const keywords = item.knowledgePoints.map((k) => `<imsmd:keyword><imsmd:string>${esc(k)}</imsmd:string></imsmd:keyword>`).join('');
    return `<resource identifier="${attr(ident)}" type="${ITEM_RESOURCE}" href="${attr(href)}"><metadata><imsmd:lom><imsmd:general><imsmd:title><imsmd:string language="zh-CN">${esc(plainTitle(item))}</imsmd:string></imsmd:title>${keywords}</imsmd:general></imsmd:lom></metadata><file href="${attr(href)}"/></resource>`;
  });
  zip.file(
    'imsmanifest.xml',
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<manifest xmlns="${CP_NS}" xmlns:imsmd="${LOM_NS}" identifier="zj-export">`,
      '<metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>',
      '<organizations/>',
      `<resources>${resources.join('\n')}</resources>`,
      '</manifest>',
      '',
    ].join('\n'),
  );
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

function resolvePath(base: string, href: string): string {
  const out: string[] = [];
  for (const seg of `${base}${decodeURI(href)}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

/** The item files a QTI 3.0 content package lists in its manifest, in manifest order. */
export async function unpackItems(buf: Buffer): Promise<{ file: string; xml: string }[]> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(buf);
  } catch {
    throw unreadable();
  }
  const manifestFile = zip.file('imsmanifest.xml') ?? zip.file(/(^|\/)imsmanifest\.xml$/i).sort((a, b) => a.name.length - b.name.length)[0];
  if (!manifestFile)
    throw new AppError(422, 'item.qti_manifest_missing', {
      zh: '题目包中没有 imsmanifest.xml，不是 QTI 内容包。',
      en: 'The package has no imsmanifest.xml: it is not a QTI content package.',
    });
  const base = manifestFile.name.includes('/') ? manifestFile.name.slice(0, manifestFile.name.lastIndexOf('/') + 1) : '';
  const manifest = parseXml(await manifestFile.async('string'), 'imsmanifest.xml');
  const resources = descendants(manifest, (n) => localOf(n) === 'resource');
  const items = resources.filter((r) => (attrs(r).type ?? '').startsWith(ITEM_RESOURCE));
  if (items.length === 0) {
    const old = resources.some((r) => /^imsqti_item_xmlv2/.test(attrs(r).type ?? ''));
    throw new AppError(
      422,
      'item.qti_empty',
      old
        ? { zh: '题目包是 QTI 2.x 格式，请导出为 QTI 3.0。', en: 'The package is QTI 2.x; export it as QTI 3.0.' }
        : { zh: '题目包中没有 QTI 3.0 题目。', en: 'The package contains no QTI 3.0 items.' },
    );
  }
  if (items.length > MAX_PACKAGE_ITEMS)
    throw invalid(`more than ${MAX_PACKAGE_ITEMS} items in one package`, { items: items.length });
  const out: { file: string; xml: string }[] = [];
  let chars = 0;
  for (const r of items) {
    const href = attrs(r).href ?? attrs(child(r, 'file') ?? {}).href;
    if (!href) throw invalid(`resource ${attrs(r).identifier ?? '?'} names no file`);
    const path = resolvePath(base + (attrs(r)['xml:base'] ?? ''), href);
    const entry = zip.file(path);
    if (!entry) throw invalid(`the manifest lists ${path}, which is not in the package`, { file: path });
    const xml = await entry.async('string');
    chars += xml.length;
    if (chars > MAX_PACKAGE_CHARS) throw invalid('the package is too large');
    out.push({ file: path, xml });
  }
  return out;
}
