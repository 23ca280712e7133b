import JSZip from 'jszip';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/errors.js';
import { ItemInput } from './item-schema.js';
import { itemToQti, packageItems, QTI_NS, qtiToItem, unpackItems } from './qti.js';

const base = { subject: 'math', grade: 9, knowledgePoints: ['M9-EQ-03', 'M9-EQ-04'], difficulty: 3, score: 4 };
const defaults = { subject: 'math', grade: 9 };

const ITEMS: Record<string, unknown> = {
  single_choice: {
    ...base,
    body: {
      type: 'single_choice',
      stem: '一元二次方程 $x^2-5x+6=0$ 的两根之和是（　）\n![示意图](https://example.org/a.png)',
      options: [
        { key: 'A', text: '$-5$' },
        { key: 'B', text: '$5$' },
        { key: 'C', text: '$6$' },
        { key: 'D', text: '$-6$' },
      ],
      answer: 'B',
    },
    explanation: '由韦达定理，$x_1+x_2=-\\frac{b}{a}=5$。\n注意符号 <、> & "引号"。',
  },
  multiple_choice: {
    ...base,
    body: {
      type: 'multiple_choice',
      stem: '下列各数中，是无理数的有（　）',
      options: [
        { key: 'A', text: '$\\sqrt{2}$' },
        { key: 'B', text: '$\\frac{22}{7}$' },
        { key: 'C', text: '$\\pi$' },
        { key: 'D', text: '$0.\\dot{3}$' },
        { key: 'E', text: '$\\sqrt[3]{9}$' },
      ],
      answer: ['A', 'C', 'E'],
      partialCredit: 'proportional',
    },
    explanation: '',
  },
  true_false: { ...base, score: 2, body: { type: 'true_false', stem: '若 $a<b$，则 $a^2<b^2$。', answer: false }, explanation: '反例：$a=-3, b=1$。' },
  fill_blank: {
    ...base,
    body: {
      type: 'fill_blank',
      stem: '方程 $x^2=9$ 的解是 $x_1=${{1}}，$x_2=${{2}}；  它们的积为 {{3}}。',
      blanks: [
        { id: '1', accepted: ['3', '+3', '３'], ignoreWidth: true, ignoreSpaces: true, ignoreCase: false, score: 1 },
        { id: '2', accepted: ['-3'], ignoreWidth: false, ignoreSpaces: true, ignoreCase: false, score: 1 },
        { id: '3', accepted: ['-9', '负九'], ignoreWidth: true, ignoreSpaces: false, ignoreCase: true, score: 2 },
      ],
    },
    explanation: '$x=\\pm 3$，积为 $-9$。',
  },
  math: {
    ...base,
    body: { type: 'math', stem: '化简：$\\frac{x^2-1}{x-1}$（$x\\neq 1$）', answer: 'x+1', tolerance: 0, unit: null },
    explanation: '分子因式分解为 $(x+1)(x-1)$。',
  },
  math_numeric: {
    ...base,
    body: { type: 'math', stem: '一个圆的半径为 $2\\,\\text{cm}$，求它的面积（结果保留两位小数）。', answer: '12.57', tolerance: 0.01, unit: 'cm^2' },
  },
  short_answer: {
    ...base,
    subject: 'physics',
    grade: 8,
    knowledgePoints: ['P8-FORCE-01'],
    body: {
      type: 'short_answer',
      stem: '简述牛顿第一定律的内容，并说明“惯性”的含义。',
      referenceAnswer: '一切物体在没有受到力的作用时，总保持静止状态或匀速直线运动状态。\n物体保持原来运动状态不变的性质叫惯性。',
      keyPoints: [
        { id: 'k1', meaning: '没有受到力的作用时', variants: ['不受外力', '合力为零'], score: 2 },
        { id: 'k2', meaning: '保持静止或匀速直线运动状态', variants: [], score: 2 },
        { id: 'k3', meaning: '惯性是保持原有运动状态的性质', variants: ['维持运动状态的性质'], score: 1 },
      ],
    },
    explanation: '',
  },
  essay: {
    ...base,
    subject: 'chinese',
    grade: 9,
    knowledgePoints: ['C9-W-01'],
    score: 50,
    body: {
      type: 'essay',
      stem: '以“那一刻，我长大了”为题，写一篇不少于 600 字的记叙文。\n要求：内容具体，感情真挚。',
      minWords: 600,
      dimensions: [
        { id: 'content', name: '内容', min: 0, max: 20, levels: [{ score: 20, descriptor: '中心明确，内容充实' }, { score: 10, descriptor: '中心基本明确' }] },
        { id: 'language', name: '语言 & 表达', min: 0, max: 20, levels: [{ score: 20, descriptor: '语言流畅，有文采' }] },
        { id: 'form', name: '结构', min: 2, max: 10, levels: [{ score: 10, descriptor: '结构完整 <层次清晰>' }, { score: 2, descriptor: '结构混乱' }] },
      ],
    },
    explanation: '',
  },
  essay_no_min: {
    ...base,
    subject: 'english',
    knowledgePoints: ['E9-W-01'],
    body: {
      type: 'essay',
      stem: 'Write a short email to your pen friend about your weekend.',
      minWords: null,
      dimensions: [{ id: 'all', name: 'Overall', min: 0, max: 15, levels: [{ score: 15, descriptor: 'Clear, accurate and complete' }] }],
    },
  },
  composite: {
    ...base,
    score: 10,
    body: {
      type: 'composite',
      stem: '如图，在 $\\triangle ABC$ 中，$\\angle C=90^\\circ$，$AC=3$，$BC=4$。\n![三角形](https://example.org/abc.png)',
      parts: [
        { score: 2, body: { type: 'single_choice', stem: '（1）$AB$ 的长为', options: [{ key: 'A', text: '5' }, { key: 'B', text: '7' }], answer: 'A' } },
        { score: 2, body: { type: 'fill_blank', stem: '（2）$\\sin A=${{1}}', blanks: [{ id: '1', accepted: ['\\frac{4}{5}', '0.8'], ignoreWidth: true, ignoreSpaces: true, ignoreCase: false, score: 1 }] } },
        { score: 2, body: { type: 'math', stem: '（3）求 $\\triangle ABC$ 的面积。', answer: '6', tolerance: 0, unit: null } },
        { score: 1, body: { type: 'true_false', stem: '（4）$\\triangle ABC$ 是等腰三角形。', answer: false } },
        { score: 1, body: { type: 'multiple_choice', stem: '（5）下列说法正确的是', options: [{ key: 'A', text: '$\\cos B=\\frac35$' }, { key: 'B', text: '$\\tan A=\\frac43$' }, { key: 'C', text: '$\\tan B=1$' }], answer: ['A', 'B'], partialCredit: 'lenient' } },
        {
          score: 2,
          body: {
            type: 'short_answer',
            stem: '（6）说明你判断直角三角形的依据。',
            referenceAnswer: '勾股定理的逆定理：$a^2+b^2=c^2$',
            keyPoints: [{ id: '1', meaning: '勾股定理的逆定理', variants: [], score: 2 }],
          },
        },
      ],
    },
    explanation: '$AB=\\sqrt{3^2+4^2}=5$。',
  },
};

describe('QTI 3.0 items', () => {
  for (const [name, raw] of Object.entries(ITEMS)) {
    it(`round-trips ${name}`, () => {
      const item = ItemInput.parse(raw);
      const xml = itemToQti({ ...item, id: '6a1d0c54-8f5e-4d1b-9f3e-0b8c2e7a9d11' });
      expect(XMLValidator.validate(xml)).toBe(true);
      const root = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml)['qti-assessment-item'];
      expect(root.xmlns).toBe(QTI_NS);
      expect(root['qti-item-body']).toBeDefined();
      const back = qtiToItem(xml, { subject: 'x', grade: 1 });
      expect(back).toEqual(item);
      expect(ItemInput.parse(back)).toEqual(item);
    });
  }

  it('writes standard QTI structures for each interaction', () => {
    const fill = itemToQti(ItemInput.parse(ITEMS.fill_blank));
    expect(fill).toContain('<qti-text-entry-interaction response-identifier="RESPONSE_1"');
    expect(fill).toContain('<qti-correct-response><qti-value>3</qti-value></qti-correct-response><qti-mapping default-value="0">');
    expect(fill).toContain('<qti-map-entry map-key="负九" mapped-value="2" case-sensitive="false"/>');
    const mc = itemToQti(ItemInput.parse(ITEMS.multiple_choice));
    expect(mc).toContain('cardinality="multiple" base-type="identifier"><qti-correct-response><qti-value>A</qti-value><qti-value>C</qti-value><qti-value>E</qti-value>');
    expect(mc).toContain('<qti-simple-choice identifier="B">$\\frac{22}{7}$</qti-simple-choice>');
    const tf = itemToQti(ItemInput.parse(ITEMS.true_false));
    expect(tf).toContain('<qti-simple-choice identifier="TRUE">');
    expect(tf).toContain('若 $a&lt;b$，则 $a^2&lt;b^2$。');
    const sa = itemToQti(ItemInput.parse(ITEMS.short_answer));
    expect(sa).toMatch(/<qti-rubric-block view="scorer"[^>]*data-zj-for="RESPONSE">/);
    expect(sa).toContain('<qti-extended-text-interaction response-identifier="RESPONSE"');
    const one = itemToQti(ItemInput.parse(ITEMS.single_choice));
    expect(one).toContain('<br/><img src="https://example.org/a.png" alt="示意图"/>');
    expect(one).toContain('<qti-modal-feedback outcome-identifier="FEEDBACK" identifier="EXPLANATION"');
    const comp = itemToQti(ItemInput.parse(ITEMS.composite));
    for (const id of ['P1_RESPONSE', 'P2_RESPONSE_1', 'P3_RESPONSE', 'P4_RESPONSE', 'P5_RESPONSE', 'P6_RESPONSE']) expect(comp).toContain(`response-identifier="${id}"`);
  });

  it('imports a plain choice item from another system with the defaults', () => {
    // Shaped like a Canvas / TAO QTI 3.0 export: no Zhijiao metadata, generated choice identifiers.
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="g5f2c1a" title="Capital" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response><qti-value>choice_8841</qti-value></qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-outcome-declaration identifier="MAXSCORE" cardinality="single" base-type="float">
    <qti-default-value><qti-value>2</qti-value></qti-default-value>
  </qti-outcome-declaration>
  <qti-item-body>
    <div>
      <p>Which city is the capital of   <strong>France</strong>?</p>
    </div>
    <qti-choice-interaction response-identifier="RESPONSE" shuffle="true" max-choices="1">
      <qti-prompt>Choose one.</qti-prompt>
      <qti-simple-choice identifier="choice_1203">London</qti-simple-choice>
      <qti-simple-choice identifier="choice_8841">Paris</qti-simple-choice>
      <qti-simple-choice identifier="choice_5530">Berlin&#160;&amp; Bonn</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>`;
    const item = qtiToItem(xml, { subject: 'english', grade: 8 });
    expect(item).toEqual({
      subject: 'english',
      grade: 8,
      body: {
        type: 'single_choice',
        stem: 'Which city is the capital of France?\nChoose one.',
        options: [
          { key: 'A', text: 'London' },
          { key: 'B', text: 'Paris' },
          { key: 'C', text: 'Berlin\u00a0& Bonn' },
        ],
        answer: 'B',
      },
      explanation: '',
      knowledgePoints: [],
      difficulty: 3,
      score: 2,
    });
    // Knowledge points are required: validation names them, or the caller supplies defaults.
    const check = ItemInput.safeParse(item);
    expect(check.success).toBe(false);
    expect(check.error!.issues.map((i) => i.path.join('.'))).toEqual(['knowledgePoints']);
    expect(ItemInput.safeParse(qtiToItem(xml, { subject: 'english', grade: 8, knowledgePoints: ['E8-RD-01'] })).success).toBe(true);
  });

  it('imports foreign text entries as blanks and True/False choices as true_false', () => {
    const xml = `<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="q2" title="t" time-dependent="false">
  <qti-response-declaration identifier="R_a" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>H2O</qti-value></qti-correct-response>
    <qti-mapping default-value="0"><qti-map-entry map-key="H2O" mapped-value="1" case-sensitive="false"/><qti-map-entry map-key="water" mapped-value="1" case-sensitive="false"/><qti-map-entry map-key="ice" mapped-value="0"/></qti-mapping>
  </qti-response-declaration>
  <qti-item-body><p>The formula of water is <qti-text-entry-interaction response-identifier="R_a" expected-length="5"/>.</p></qti-item-body>
</qti-assessment-item>`;
    expect(qtiToItem(xml, defaults).body).toEqual({
      type: 'fill_blank',
      stem: 'The formula of water is {{1}}.',
      blanks: [{ id: '1', accepted: ['H2O', 'water'], ignoreWidth: true, ignoreSpaces: true, ignoreCase: true, score: 1 }],
    });
    const tf = `<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="q3" title="t" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>c2</qti-value></qti-correct-response></qti-response-declaration>
  <qti-item-body><p>The sun is a planet.</p><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-simple-choice identifier="c1">True</qti-simple-choice><qti-simple-choice identifier="c2">False</qti-simple-choice></qti-choice-interaction></qti-item-body>
</qti-assessment-item>`;
    expect(qtiToItem(tf, defaults).body).toEqual({ type: 'true_false', stem: 'The sun is a planet.', answer: false });
  });

  it('rejects malformed XML, other documents and unsupported interactions with AppErrors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        return (e as AppError).code;
      }
      return 'no error';
    };
    expect(code(() => qtiToItem('<qti-assessment-item><qti-item-body></qti-assessment-item>', defaults))).toBe('item.qti_invalid');
    expect(code(() => qtiToItem('not xml at all', defaults))).toBe('item.qti_invalid');
    expect(code(() => qtiToItem('<assessmentItem identifier="x"/>', defaults))).toBe('item.qti_invalid');
    expect(code(() => qtiToItem(`<qti-assessment-item xmlns="${QTI_NS}"/>`, defaults))).toBe('item.qti_invalid');
    expect(
      code(() =>
        qtiToItem(`<qti-assessment-item xmlns="${QTI_NS}"><qti-item-body><qti-order-interaction response-identifier="R"/></qti-item-body></qti-assessment-item>`, defaults),
      ),
    ).toBe('item.qti_unsupported');
  });
});

describe('QTI 3.0 content packages', () => {
  it('packages items with a manifest and unpacks them in order', async () => {
    const list = Object.values(ITEMS).map((raw, i) => ({ ...ItemInput.parse(raw), id: `00000000-0000-4000-8000-00000000000${i}` }));
    const zip = await packageItems(list);
    const z = await JSZip.loadAsync(zip);
    const manifest = await z.file('imsmanifest.xml')!.async('string');
    expect(XMLValidator.validate(manifest)).toBe(true);
    expect(manifest).toContain('type="imsqti_item_xmlv3p0"');
    const files = await unpackItems(zip);
    expect(files).toHaveLength(list.length);
    expect(files.map((f) => qtiToItem(f.xml, defaults))).toEqual(list.map(({ id: _id, ...it }) => it));
  });

  it('gives clear errors for a bad zip, a missing manifest and a missing item file', async () => {
    const fail = async (buf: Buffer) => {
      try {
        await unpackItems(buf);
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        const err = e as AppError;
        expect(err.messages.zh).toBeTruthy();
        expect(err.messages.en).toBeTruthy();
        return err.code;
      }
      return 'no error';
    };
    expect(await fail(Buffer.from('PK\u0003\u0004 not really a zip'))).toBe('item.qti_unreadable');
    const noManifest = new JSZip();
    noManifest.file('items/a.xml', '<x/>');
    expect(await fail(await noManifest.generateAsync({ type: 'nodebuffer' }))).toBe('item.qti_manifest_missing');
    const missing = new JSZip();
    missing.file('imsmanifest.xml', '<manifest><resources><resource identifier="a" type="imsqti_item_xmlv3p0" href="items/a.xml"/></resources></manifest>');
    expect(await fail(await missing.generateAsync({ type: 'nodebuffer' }))).toBe('item.qti_invalid');
    const broken = new JSZip();
    broken.file('imsmanifest.xml', '<manifest><resources>');
    expect(await fail(await broken.generateAsync({ type: 'nodebuffer' }))).toBe('item.qti_invalid');
    const v2 = new JSZip();
    v2.file('imsmanifest.xml', '<manifest><resources><resource identifier="a" type="imsqti_item_xmlv2p1" href="a.xml"/></resources></manifest>');
    expect(await fail(await v2.generateAsync({ type: 'nodebuffer' }))).toBe('item.qti_empty');
  });
});
