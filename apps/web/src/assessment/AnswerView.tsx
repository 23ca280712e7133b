/**
 * Read-only renderings: a student's answer (text answers with the evidence spans of key points
 * highlighted), the correct answer of the feedback, and a stem with its options.
 */
import { Fragment, type ReactNode } from 'react';
import { Space, Tag, Tooltip, Typography } from 'antd';
import { useI18n, type Messages } from '../i18n';
import { RubricTable } from '../items/ItemBodyView';
import { Latex, RichText } from '../items/RichText';
import { isBlank, type ItemType, type PointMark, type StudentBody } from './model';

const MARK_COLORS = ['#fff1b8', '#d9f7be', '#bae0ff', '#ffd8bf', '#efdbff', '#b5f5ec'];

/** Text with the evidence spans of the points marked; overlapping spans are clipped to the earlier one. */
export function HighlightedText({ text, points }: { text: string; points: PointMark[] }) {
  const spans = points
    .map((p, i) => ({ p, i, e: p.evidence }))
    .filter((x): x is { p: PointMark; i: number; e: NonNullable<PointMark['evidence']> } => !!x.e && x.e.end > x.e.start)
    .sort((a, b) => a.e.start - b.e.start);
  const out: ReactNode[] = [];
  let at = 0;
  for (const { p, i, e } of spans) {
    const start = Math.max(e.start, at);
    const end = Math.min(e.end, text.length);
    if (end <= start) continue;
    if (start > at) out.push(<Fragment key={`t${at}`}>{text.slice(at, start)}</Fragment>);
    out.push(
      <Tooltip key={`m${start}`} title={`${p.label}${p.negated ? ' ✗' : ''}`}>
        <mark
          className={`zj-evidence${p.negated ? ' zj-evidence-negated' : ''}`}
          style={{ background: p.negated ? '#ffccc7' : MARK_COLORS[i % MARK_COLORS.length] }}
          data-testid="evidence"
        >
          {text.slice(start, end)}
        </mark>
      </Tooltip>,
    );
    at = end;
  }
  if (at < text.length) out.push(<Fragment key={`t${at}`}>{text.slice(at)}</Fragment>);
  return <div className="zj-answer-text">{out}</div>;
}

/** A student's answer of an item type, as given. */
export function AnswerView({ type, answer, points = [], body }: { type: ItemType; answer: unknown; points?: PointMark[]; body?: StudentBody }) {
  const { t } = useI18n();
  if (isBlank(answer))
    return (
      <Typography.Text type="secondary" data-testid="answer-empty">
        {t.assessment.emptyAnswer}
      </Typography.Text>
    );
  switch (type) {
    case 'single_choice':
      return <Typography.Text strong>{String(answer)}</Typography.Text>;
    case 'multiple_choice':
      return <Typography.Text strong>{Array.isArray(answer) ? answer.join('、') : String(answer)}</Typography.Text>;
    case 'true_false':
      return <Typography.Text strong>{answer === true ? t.items.trueLabel : answer === false ? t.items.falseLabel : String(answer)}</Typography.Text>;
    case 'fill_blank': {
      const v = (answer ?? {}) as Record<string, string>;
      return (
        <Space wrap size={[12, 4]}>
          {Object.keys(v)
            .sort((a, b) => Number(a) - Number(b))
            .map((id) => (
              <span key={id}>
                <Typography.Text type="secondary">{t.items.blankN(id)}：</Typography.Text>
                <Typography.Text strong>{v[id] || t.common.none}</Typography.Text>
              </span>
            ))}
        </Space>
      );
    }
    case 'math':
      return (
        <span className="zj-math-answer" data-testid="math-answer">
          <Latex src={String(answer)} />
          <Typography.Text type="secondary" className="zj-mono" style={{ marginLeft: 12, fontSize: 12 }}>
            {String(answer)}
          </Typography.Text>
        </span>
      );
    case 'short_answer':
    case 'essay':
      return <HighlightedText text={typeof answer === 'string' ? answer : JSON.stringify(answer)} points={points} />;
    case 'composite': {
      const parts = Array.isArray(answer) ? answer : [];
      const bodies = body?.type === 'composite' ? body.parts.map((p) => p.body) : [];
      return (
        <div>
          {parts.map((a, i) => (
            <div key={i} style={{ marginTop: i ? 6 : 0 }}>
              <Typography.Text type="secondary">{t.items.partN(i + 1)}：</Typography.Text>
              {bodies[i] ? <AnswerView type={bodies[i]!.type} answer={a} body={bodies[i]} /> : <Typography.Text>{JSON.stringify(a)}</Typography.Text>}
            </div>
          ))}
        </div>
      );
    }
  }
}

interface ShortAnswerKey {
  reference: string;
  keyPoints: { id: string; meaning: string; score: number }[];
}
interface EssayKey {
  dimensions: { id: string; name: string; min: number; max: number; levels: { score: number; descriptor: string }[] }[];
}

/** The correct answer as the feedback gives it (see the server's correctAnswer()). */
export function CorrectAnswerView({ type, answer, body, withKeyPoints = true }: { type: ItemType; answer: unknown; body?: StudentBody; withKeyPoints?: boolean }) {
  const { t } = useI18n();
  if (answer === null || answer === undefined) return <>{t.common.none}</>;
  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'true_false':
    case 'fill_blank':
      return <AnswerView type={type} answer={answer} />;
    case 'math':
      return (
        <span data-testid="correct-math">
          <Latex src={String(answer)} />
        </span>
      );
    case 'short_answer': {
      const k = answer as ShortAnswerKey;
      return (
        <div>
          <RichText text={k.reference ?? ''} />
          {withKeyPoints && k.keyPoints?.length > 0 && (
            <ul className="zj-keypoint-list">
              {k.keyPoints.map((p) => (
                <li key={p.id}>
                  {p.meaning} <Typography.Text type="secondary">（{t.items.scoreN(p.score)}）</Typography.Text>
                </li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    case 'essay': {
      const k = answer as EssayKey;
      return (
        <RubricTable dimensions={k.dimensions ?? []} />
      );
    }
    case 'composite': {
      const parts = Array.isArray(answer) ? answer : [];
      const bodies = body?.type === 'composite' ? body.parts.map((p) => p.body) : [];
      return (
        <div>
          {parts.map((a, i) => (
            <div key={i} style={{ marginTop: i ? 8 : 0 }}>
              <Typography.Text strong>{t.items.partN(i + 1)}</Typography.Text>
              <div>{bodies[i] ? <CorrectAnswerView type={bodies[i]!.type} answer={a} body={bodies[i]} /> : JSON.stringify(a)}</div>
            </div>
          ))}
        </div>
      );
    }
  }
}

/** The heading of the correct answer: a rubric for essays, a reference answer for short answers. */
export function correctAnswerLabel(type: ItemType, t: Messages): string {
  return type === 'essay' ? t.items.dimensions : type === 'short_answer' ? t.items.referenceAnswer : t.assessment.correctAnswer;
}

/** A question as printed: the stem, and the options of a choice item (no controls). */
export function StemView({ body }: { body: StudentBody }) {
  const { t } = useI18n();
  return (
    <div>
      <RichText text={body.stem} />
      {(body.type === 'single_choice' || body.type === 'multiple_choice') && (
        <div className="zj-options">
          {body.options.map((o) => (
            <div key={o.key} className="zj-option">
              <span className="zj-option-key">{o.key}</span>
              <RichText text={o.text} />
            </div>
          ))}
        </div>
      )}
      {body.type === 'composite' &&
        body.parts.map((p, i) => (
          <div className="zj-part" key={i}>
            <div className="zj-part-title">
              {t.items.partN(i + 1)} <Tag bordered={false}>{t.items.types[p.body.type]}</Tag>
            </div>
            <StemView body={p.body} />
          </div>
        ))}
    </div>
  );
}
