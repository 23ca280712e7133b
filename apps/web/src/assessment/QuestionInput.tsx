/**
 * A question with its answer controls, one kind per item type: radios, checkboxes, true/false,
 * one input per blank (inside the stem), a LaTeX field with a live preview, text areas (the essay
 * with a live length count). Used by the answer page and the error notebook.
 */
import { Checkbox, Input, Radio, Space, Tag, Typography } from 'antd';
import { useI18n } from '../i18n';
import { Latex, RichText } from '../items/RichText';
import { countWords, type StudentBody } from './model';
import './assessment.css';

export interface QuestionInputProps {
  body: StudentBody;
  value: unknown;
  onChange(v: unknown): void;
  disabled?: boolean;
  /** data-testid prefix: q-<prefix>-… */
  testId: string;
}

export function QuestionInput({ body, value, onChange, disabled, testId }: QuestionInputProps) {
  const { t } = useI18n();
  if (body.type === 'fill_blank') {
    const v = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string>) : {};
    return (
      <div data-testid={`q-${testId}`}>
        <RichText
          text={body.stem}
          blank={(id) => (
            <Input
              className="zj-blank-input"
              size="small"
              value={v[id] ?? ''}
              disabled={disabled}
              placeholder={t.assessment.blankPlaceholder(id)}
              data-testid={`q-${testId}-blank-${id}`}
              onChange={(e) => onChange({ ...v, [id]: e.target.value })}
            />
          )}
        />
        {/* Blanks the stem does not mark (should not happen) still get an input. */}
        {body.blanks
          .filter((b) => !body.stem.includes(`{{${b.id}}}`))
          .map((b) => (
            <Input
              key={b.id}
              style={{ maxWidth: 280, marginTop: 8, display: 'block' }}
              value={v[b.id] ?? ''}
              disabled={disabled}
              placeholder={t.assessment.blankPlaceholder(b.id)}
              onChange={(e) => onChange({ ...v, [b.id]: e.target.value })}
            />
          ))}
      </div>
    );
  }
  return (
    <div data-testid={`q-${testId}`}>
      <RichText text={body.stem} />
      <div className="zj-answer-area">
        <AnswerControl body={body} value={value} onChange={onChange} disabled={disabled} testId={testId} />
      </div>
    </div>
  );
}

function AnswerControl({ body, value, onChange, disabled, testId }: QuestionInputProps) {
  const { t } = useI18n();
  const text = typeof value === 'string' ? value : '';
  switch (body.type) {
    case 'single_choice':
      return (
        <Radio.Group
          className="zj-choice-group"
          value={typeof value === 'string' ? value : undefined}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
          data-testid={`q-${testId}-choices`}
        >
          {body.options.map((o) => (
            <Radio key={o.key} value={o.key} className="zj-choice" data-testid={`q-${testId}-option-${o.key}`}>
              <span className="zj-choice-key">{o.key}.</span>
              <RichText text={o.text} />
            </Radio>
          ))}
        </Radio.Group>
      );
    case 'multiple_choice': {
      const v = Array.isArray(value) ? (value as string[]) : [];
      return (
        <Checkbox.Group
          className="zj-choice-group"
          value={v}
          disabled={disabled}
          // keep the keys in option order: A, C rather than C, A
          onChange={(keys) => onChange(body.options.map((o) => o.key).filter((k) => (keys as string[]).includes(k)))}
          data-testid={`q-${testId}-choices`}
        >
          {body.options.map((o) => (
            <Checkbox key={o.key} value={o.key} className="zj-choice" data-testid={`q-${testId}-option-${o.key}`}>
              <span className="zj-choice-key">{o.key}.</span>
              <RichText text={o.text} />
            </Checkbox>
          ))}
        </Checkbox.Group>
      );
    }
    case 'true_false':
      return (
        <Radio.Group
          value={typeof value === 'boolean' ? value : undefined}
          disabled={disabled}
          optionType="button"
          buttonStyle="solid"
          onChange={(e) => onChange(e.target.value as boolean)}
          data-testid={`q-${testId}-tf`}
          options={[
            { value: true, label: t.items.trueLabel },
            { value: false, label: t.items.falseLabel },
          ]}
        />
      );
    case 'math':
      return <MathField value={text} onChange={onChange} disabled={disabled} unit={body.unit ?? null} testId={testId} />;
    case 'short_answer':
      return (
        <Input.TextArea
          value={text}
          disabled={disabled}
          autoSize={{ minRows: 3, maxRows: 12 }}
          maxLength={20_000}
          placeholder={t.assessment.answerPlaceholder}
          onChange={(e) => onChange(e.target.value)}
          data-testid={`q-${testId}-text`}
        />
      );
    case 'essay':
      return <EssayField body={body} value={text} onChange={onChange} disabled={disabled} testId={testId} />;
    case 'composite': {
      const parts = Array.isArray(value) ? (value as unknown[]) : [];
      return (
        <div>
          {body.parts.map((p, i) => (
            <div className="zj-part" key={i} data-testid={`q-${testId}-part`}>
              <div className="zj-part-title">
                <Space size={6}>
                  {t.items.partN(i + 1)}
                  <Tag bordered={false}>{t.items.types[p.body.type]}</Tag>
                  <Typography.Text type="secondary">{t.items.scoreN(p.score)}</Typography.Text>
                </Space>
              </div>
              <QuestionInput
                body={p.body}
                value={parts[i] ?? null}
                disabled={disabled}
                testId={`${testId}-${i + 1}`}
                onChange={(v) => {
                  const next = body.parts.map((_, k) => (k === i ? v : (parts[k] ?? null)));
                  onChange(next);
                }}
              />
            </div>
          ))}
        </div>
      );
    }
  }
}

/** A one-line answer field that takes LaTeX (or plain text like 1/2x+3) and renders it live. */
export function MathField(props: { value: string; onChange(v: string): void; disabled?: boolean; unit: string | null; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="zj-math-field">
      <Input
        value={props.value}
        disabled={props.disabled}
        className="zj-mono"
        maxLength={1000}
        placeholder={t.assessment.mathPlaceholder}
        addonAfter={props.unit || undefined}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={`q-${props.testId}-math`}
        spellCheck={false}
        autoComplete="off"
      />
      <div className="zj-hint" style={{ marginTop: 4 }}>
        {t.assessment.mathHint}
      </div>
      <div className="zj-latex-preview" data-testid={`q-${props.testId}-math-preview`}>
        <Typography.Text type="secondary" style={{ fontSize: 12, marginRight: 8 }}>
          {t.assessment.mathPreview}
        </Typography.Text>
        {props.value.trim() && <Latex src={props.value} />}
        {props.value.trim() && props.unit ? ` ${props.unit}` : ''}
      </div>
    </div>
  );
}

function EssayField(props: {
  body: Extract<StudentBody, { type: 'essay' }>;
  value: string;
  onChange(v: string): void;
  disabled?: boolean;
  testId: string;
}) {
  const { t } = useI18n();
  const n = countWords(props.value);
  const min = props.body.minWords ?? null;
  const dims = props.body.dimensions ?? [];
  return (
    <div>
      {dims.length > 0 && (
        <div className="zj-essay-criteria">
          <Typography.Text type="secondary">{t.assessment.essayCriteria}：</Typography.Text>
          {dims.map((d) => (
            <Tag key={d.id} bordered={false} color="purple">
              {d.name} · {t.items.scoreN(d.max)}
            </Tag>
          ))}
        </div>
      )}
      <Input.TextArea
        value={props.value}
        disabled={props.disabled}
        autoSize={{ minRows: 8, maxRows: 24 }}
        maxLength={20_000}
        placeholder={t.assessment.essayPlaceholder}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={`q-${props.testId}-essay`}
      />
      <div className="zj-word-count" data-testid={`q-${props.testId}-count`}>
        <span className={min !== null && n < min ? 'zj-count-short' : 'zj-count-ok'}>{t.assessment.wordCount(n)}</span>
        {min !== null && <span>{t.assessment.minWordsTarget(min)}</span>}
      </div>
    </div>
  );
}
