/** The form for an item body, one per type; composite items nest a body editor per part. */
import { useRef } from 'react';
import { Button, Checkbox, Col, Input, InputNumber, Radio, Row, Select, Space, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { Latex } from './RichText';
import { ITEM_TYPES, PART_TYPES, emptyBody, syncBlanks, type ItemBody, type ItemType, type PartBody } from './model';

type AnyBody = ItemBody | PartBody;
type Choice = Extract<AnyBody, { type: 'single_choice' | 'multiple_choice' }>;
const LETTERS = 'ABCDEFGHIJ';

export function TypeSelect({ value, onChange, nested }: { value: ItemType; onChange(t: ItemType): void; nested?: boolean }) {
  const { t } = useI18n();
  return (
    <Select
      value={value}
      style={{ width: 160 }}
      data-testid={nested ? 'part-type' : 'editor-type'}
      options={(nested ? PART_TYPES : ITEM_TYPES).map((ty) => ({ value: ty, label: t.items.types[ty] }))}
      onChange={onChange}
    />
  );
}

export function BodyEditor<B extends AnyBody>({ body, onChange, testPrefix = 'editor' }: { body: B; onChange(b: B): void; testPrefix?: string }) {
  const { t } = useI18n();
  const stemRef = useRef<TextAreaRef>(null);
  const set = (patch: Partial<AnyBody>) => onChange({ ...body, ...patch } as B);

  const setStem = (stem: string) => {
    if (body.type === 'fill_blank') onChange({ ...body, stem, blanks: syncBlanks(stem, body.blanks) } as B);
    else set({ stem });
  };
  const insertBlank = () => {
    if (body.type !== 'fill_blank') return;
    const used = body.blanks.map((b) => Number(b.id));
    const next = String((used.length ? Math.max(...used) : 0) + 1);
    const el = stemRef.current?.resizableTextArea?.textArea;
    const at = el ? el.selectionStart : body.stem.length;
    const stem = `${body.stem.slice(0, at)}{{${next}}}${body.stem.slice(at)}`;
    setStem(stem);
  };

  return (
    <div>
      <Input.TextArea
        ref={stemRef}
        value={body.stem}
        autoSize={{ minRows: 3, maxRows: 14 }}
        placeholder={t.items.stemPlaceholder}
        onChange={(e) => setStem(e.target.value)}
        data-testid={`${testPrefix}-stem`}
      />
      <div className="zj-hint" style={{ margin: '4px 0 12px' }}>
        {t.items.richHint}
      </div>

      {(body.type === 'single_choice' || body.type === 'multiple_choice') && (
        <ChoiceEditor body={body} onChange={(b) => onChange(b as B)} testPrefix={testPrefix} />
      )}

      {body.type === 'true_false' && (
        <Space>
          <span>{t.items.tfAnswer}</span>
          <Radio.Group
            value={body.answer}
            onChange={(e) => set({ answer: e.target.value as boolean } as Partial<AnyBody>)}
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: true, label: t.items.trueLabel },
              { value: false, label: t.items.falseLabel },
            ]}
          />
        </Space>
      )}

      {body.type === 'fill_blank' && (
        <div>
          <Space style={{ marginBottom: 8 }}>
            <Typography.Text strong>{t.items.blanks}</Typography.Text>
            <Button size="small" icon={<PlusOutlined />} onClick={insertBlank} data-testid={`${testPrefix}-insert-blank`}>
              {t.items.insertBlank}
            </Button>
            <span className="zj-hint">{t.items.blanksHint}</span>
          </Space>
          {body.blanks.length === 0 && <Typography.Paragraph type="secondary">{t.items.noBlanks}</Typography.Paragraph>}
          {body.blanks.map((b, i) => {
            const setBlank = (patch: Partial<typeof b>) =>
              onChange({ ...body, blanks: body.blanks.map((x, j) => (j === i ? { ...x, ...patch } : x)) } as B);
            return (
              <div key={b.id} className="zj-editor-block" data-testid={`${testPrefix}-blank`}>
                <div className="zj-editor-row">
                  <span className="zj-blank" style={{ marginTop: 4 }}>
                    （{b.id}）
                  </span>
                  <Select
                    className="zj-grow"
                    mode="tags"
                    open={false}
                    suffixIcon={null}
                    tokenSeparators={['\n']}
                    value={b.accepted}
                    placeholder={t.items.acceptedPlaceholder}
                    onChange={(v: string[]) => setBlank({ accepted: v.map((s) => s.trim()).filter(Boolean) })}
                    data-testid={`${testPrefix}-blank-accepted`}
                  />
                  <InputNumber
                    min={0.5}
                    max={100}
                    step={0.5}
                    value={b.score}
                    addonBefore={t.items.blankScore}
                    style={{ width: 140 }}
                    onChange={(v) => setBlank({ score: v ?? 1 })}
                  />
                </div>
                <Space size="large" wrap>
                  <Checkbox checked={b.ignoreWidth} onChange={(e) => setBlank({ ignoreWidth: e.target.checked })}>
                    {t.items.ignoreWidth}
                  </Checkbox>
                  <Checkbox checked={b.ignoreSpaces} onChange={(e) => setBlank({ ignoreSpaces: e.target.checked })}>
                    {t.items.ignoreSpaces}
                  </Checkbox>
                  <Checkbox checked={b.ignoreCase} onChange={(e) => setBlank({ ignoreCase: e.target.checked })}>
                    {t.items.ignoreCase}
                  </Checkbox>
                </Space>
              </div>
            );
          })}
        </div>
      )}

      {body.type === 'math' && (
        <div>
          <Typography.Text strong>{t.items.mathAnswer}</Typography.Text>
          <Input
            style={{ marginTop: 6 }}
            value={body.answer}
            placeholder={t.items.mathAnswerPlaceholder}
            onChange={(e) => set({ answer: e.target.value } as Partial<AnyBody>)}
            data-testid={`${testPrefix}-math-answer`}
            className="zj-mono"
          />
          <div className="zj-latex-preview" data-testid={`${testPrefix}-math-preview`}>
            <span className="zj-hint" style={{ marginRight: 8 }}>
              {t.items.latexPreview}
            </span>
            {body.answer.trim() && <Latex src={body.answer} />}
          </div>
          <Row gutter={12} style={{ marginTop: 12 }}>
            <Col span={12}>
              <div className="zj-hint">{t.items.tolerance}</div>
              <InputNumber
                min={0}
                max={1e6}
                step={0.01}
                value={body.tolerance}
                style={{ width: '100%' }}
                onChange={(v) => set({ tolerance: v ?? 0 } as Partial<AnyBody>)}
              />
            </Col>
            <Col span={12}>
              <div className="zj-hint">{t.items.unit}</div>
              <Input
                value={body.unit ?? ''}
                maxLength={20}
                placeholder={t.items.unitPlaceholder}
                onChange={(e) => set({ unit: e.target.value.trim() ? e.target.value : null } as Partial<AnyBody>)}
              />
            </Col>
          </Row>
        </div>
      )}

      {body.type === 'short_answer' && (
        <div>
          <Typography.Text strong>{t.items.referenceAnswer}</Typography.Text>
          <Input.TextArea
            style={{ margin: '6px 0 12px' }}
            value={body.referenceAnswer}
            autoSize={{ minRows: 2, maxRows: 8 }}
            placeholder={t.items.referencePlaceholder}
            onChange={(e) => set({ referenceAnswer: e.target.value } as Partial<AnyBody>)}
          />
          <Typography.Text strong>{t.items.keyPoints}</Typography.Text>
          <div style={{ marginTop: 6 }}>
            {body.keyPoints.map((k, i) => {
              const setKp = (patch: Partial<typeof k>) =>
                onChange({ ...body, keyPoints: body.keyPoints.map((x, j) => (j === i ? { ...x, ...patch } : x)) } as B);
              return (
                <div key={k.id} className="zj-editor-block">
                  <div className="zj-editor-row">
                    <Input
                      className="zj-grow"
                      value={k.meaning}
                      placeholder={t.items.meaningPlaceholder}
                      onChange={(e) => setKp({ meaning: e.target.value })}
                    />
                    <InputNumber min={0.5} max={100} step={0.5} value={k.score} style={{ width: 90 }} onChange={(v) => setKp({ score: v ?? 1 })} />
                    <Button
                      danger
                      type="text"
                      icon={<DeleteOutlined />}
                      disabled={body.keyPoints.length <= 1}
                      aria-label={t.items.remove}
                      onClick={() => onChange({ ...body, keyPoints: body.keyPoints.filter((_, j) => j !== i) } as B)}
                    />
                  </div>
                  <Select
                    mode="tags"
                    open={false}
                    suffixIcon={null}
                    style={{ width: '100%' }}
                    value={k.variants}
                    placeholder={t.items.variantsPlaceholder}
                    onChange={(v: string[]) => setKp({ variants: v.map((s) => s.trim()).filter(Boolean) })}
                  />
                </div>
              );
            })}
            <Button
              type="dashed"
              block
              icon={<PlusOutlined />}
              onClick={() =>
                onChange({
                  ...body,
                  keyPoints: [...body.keyPoints, { id: nextId('k', body.keyPoints.map((k) => k.id)), meaning: '', variants: [], score: 1 }],
                } as B)
              }
            >
              {t.items.addKeyPoint}
            </Button>
          </div>
        </div>
      )}

      {body.type === 'essay' && (
        <div>
          <Space style={{ marginBottom: 12 }}>
            <span>{t.items.minWords}</span>
            <InputNumber
              min={0}
              max={10000}
              value={body.minWords}
              onChange={(v) => set({ minWords: v ?? null } as Partial<AnyBody>)}
            />
          </Space>
          <div>
            <Typography.Text strong>{t.items.dimensions}</Typography.Text>
          </div>
          {body.dimensions.map((d, i) => {
            const setDim = (patch: Partial<typeof d>) =>
              onChange({ ...body, dimensions: body.dimensions.map((x, j) => (j === i ? { ...x, ...patch } : x)) } as B);
            return (
              <div key={d.id} className="zj-editor-block" style={{ marginTop: 8 }}>
                <div className="zj-editor-row">
                  <Input
                    className="zj-grow"
                    value={d.name}
                    placeholder={t.items.dimensionNamePlaceholder}
                    onChange={(e) => setDim({ name: e.target.value })}
                  />
                  <InputNumber addonBefore={t.items.min} min={0} max={100} value={d.min} style={{ width: 130 }} onChange={(v) => setDim({ min: v ?? 0 })} />
                  <InputNumber addonBefore={t.items.max} min={1} max={100} value={d.max} style={{ width: 130 }} onChange={(v) => setDim({ max: v ?? 1 })} />
                  <Button
                    danger
                    type="text"
                    icon={<DeleteOutlined />}
                    disabled={body.dimensions.length <= 1}
                    aria-label={t.items.remove}
                    onClick={() => onChange({ ...body, dimensions: body.dimensions.filter((_, j) => j !== i) } as B)}
                  />
                </div>
                {d.levels.map((l, li) => (
                  <div key={li} className="zj-editor-row">
                    <InputNumber
                      min={0}
                      max={100}
                      value={l.score}
                      style={{ width: 90 }}
                      onChange={(v) => setDim({ levels: d.levels.map((x, j) => (j === li ? { ...x, score: v ?? 0 } : x)) })}
                    />
                    <Input
                      className="zj-grow"
                      value={l.descriptor}
                      placeholder={t.items.levelDescriptor}
                      onChange={(e) => setDim({ levels: d.levels.map((x, j) => (j === li ? { ...x, descriptor: e.target.value } : x)) })}
                    />
                    <Button
                      type="text"
                      icon={<DeleteOutlined />}
                      disabled={d.levels.length <= 1}
                      aria-label={t.items.remove}
                      onClick={() => setDim({ levels: d.levels.filter((_, j) => j !== li) })}
                    />
                  </div>
                ))}
                <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => setDim({ levels: [...d.levels, { score: 0, descriptor: '' }] })}>
                  {t.items.addLevel}
                </Button>
              </div>
            );
          })}
          <Button
            type="dashed"
            block
            icon={<PlusOutlined />}
            onClick={() =>
              onChange({
                ...body,
                dimensions: [
                  ...body.dimensions,
                  { id: nextId('d', body.dimensions.map((d) => d.id)), name: '', min: 0, max: 5, levels: [{ score: 5, descriptor: '' }] },
                ],
              } as B)
            }
          >
            {t.items.addDimension}
          </Button>
        </div>
      )}

      {body.type === 'composite' && (
        <div>
          <Typography.Text strong>{t.items.parts}</Typography.Text>
          {body.parts.map((p, i) => {
            const setPart = (patch: Partial<typeof p>) =>
              onChange({ ...body, parts: body.parts.map((x, j) => (j === i ? { ...x, ...patch } : x)) } as B);
            return (
              <div key={i} className="zj-editor-block" style={{ marginTop: 8, background: '#fff' }} data-testid="editor-part">
                <div className="zj-editor-row" style={{ alignItems: 'center' }}>
                  <Typography.Text strong className="zj-grow">
                    {t.items.partN(i + 1)}
                  </Typography.Text>
                  <TypeSelect nested value={p.body.type} onChange={(ty) => setPart({ body: emptyBody(ty, p.body.stem) as PartBody })} />
                  <InputNumber min={0.5} max={100} step={0.5} value={p.score} style={{ width: 90 }} onChange={(v) => setPart({ score: v ?? 1 })} />
                  <Button
                    danger
                    type="text"
                    icon={<DeleteOutlined />}
                    disabled={body.parts.length <= 1}
                    aria-label={t.items.remove}
                    onClick={() => onChange({ ...body, parts: body.parts.filter((_, j) => j !== i) } as B)}
                  />
                </div>
                <BodyEditor body={p.body} onChange={(b) => setPart({ body: b })} testPrefix={`part${i + 1}`} />
              </div>
            );
          })}
          <Button
            type="dashed"
            block
            style={{ marginTop: 8 }}
            icon={<PlusOutlined />}
            onClick={() => onChange({ ...body, parts: [...body.parts, { body: emptyBody('single_choice') as PartBody, score: 1 }] } as B)}
          >
            {t.items.addPart}
          </Button>
        </div>
      )}
    </div>
  );
}

function nextId(prefix: string, used: string[]): string {
  let n = used.length + 1;
  while (used.includes(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

function ChoiceEditor({ body, onChange, testPrefix }: { body: Choice; onChange(b: Choice): void; testPrefix: string }) {
  const { t } = useI18n();
  const isMulti = body.type === 'multiple_choice';
  const correct = (key: string) => (isMulti ? (body.answer as string[]).includes(key) : body.answer === key);
  const toggle = (key: string) => {
    if (body.type === 'single_choice') onChange({ ...body, answer: key });
    else {
      const has = body.answer.includes(key);
      const answer = has ? body.answer.filter((k) => k !== key) : [...body.answer, key].sort();
      onChange({ ...body, answer });
    }
  };
  const remove = (i: number) => {
    const kept = body.options.filter((_, j) => j !== i);
    const rename = new Map(kept.map((o, j) => [o.key, LETTERS[j]!]));
    const options = kept.map((o, j) => ({ ...o, key: LETTERS[j]! }));
    if (body.type === 'single_choice') onChange({ ...body, options, answer: rename.get(body.answer) ?? 'A' });
    else {
      const answer = body.answer.map((k) => rename.get(k)).filter((k): k is string => !!k);
      onChange({ ...body, options, answer: answer.length ? answer : ['A'] });
    }
  };
  return (
    <div>
      <Space style={{ marginBottom: 8 }}>
        <Typography.Text strong>{t.items.options}</Typography.Text>
        <span className="zj-hint">{t.items.correctHint}</span>
      </Space>
      {body.options.map((o, i) => (
        <div className="zj-editor-row" key={o.key} data-testid={`${testPrefix}-option`}>
          {isMulti ? (
            <Checkbox checked={correct(o.key)} onChange={() => toggle(o.key)} style={{ marginTop: 5 }} data-testid={`${testPrefix}-correct-${o.key}`} />
          ) : (
            <Radio checked={correct(o.key)} onChange={() => toggle(o.key)} style={{ marginTop: 5 }} data-testid={`${testPrefix}-correct-${o.key}`} />
          )}
          <span className="zj-option-key" style={{ marginTop: 2 }}>
            {o.key}
          </span>
          <Input.TextArea
            className="zj-grow"
            autoSize={{ minRows: 1, maxRows: 6 }}
            value={o.text}
            placeholder={t.items.optionPlaceholder(o.key)}
            onChange={(e) => onChange({ ...body, options: body.options.map((x, j) => (j === i ? { ...x, text: e.target.value } : x)) })}
            data-testid={`${testPrefix}-option-${o.key}`}
          />
          <Button
            type="text"
            danger
            icon={<DeleteOutlined />}
            disabled={body.options.length <= 2}
            aria-label={t.items.removeOption}
            onClick={() => remove(i)}
          />
        </div>
      ))}
      <Space style={{ marginTop: 4 }} wrap>
        <Button
          type="dashed"
          icon={<PlusOutlined />}
          disabled={body.options.length >= LETTERS.length}
          onClick={() => onChange({ ...body, options: [...body.options, { key: LETTERS[body.options.length]!, text: '' }] })}
        >
          {t.items.addOption}
        </Button>
        {body.type === 'multiple_choice' && (
          <Space>
            <span className="zj-hint">{t.items.partialCredit}</span>
            <Select
              style={{ width: 240 }}
              value={body.partialCredit}
              options={(['none', 'proportional', 'lenient'] as const).map((v) => ({ value: v, label: t.items.partialCredits[v] }))}
              onChange={(v) => onChange({ ...body, partialCredit: v })}
            />
          </Space>
        )}
      </Space>
    </div>
  );
}
