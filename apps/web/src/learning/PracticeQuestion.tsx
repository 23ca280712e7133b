/**
 * One practice question of the companion, answered inline with the shared QuestionInput; after
 * "check" it shows the verdict, the points, the correct answer, the explanation and how the
 * answer moved the learner model (before → after).
 */
import { useState } from 'react';
import { Alert, Button, Card, Space, Tag, Tooltip, Typography } from 'antd';
import { SendOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { RichText } from '../items/RichText';
import { TYPE_COLORS } from '../items/model';
import { AnswerView, CorrectAnswerView, correctAnswerLabel } from '../assessment/AnswerView';
import { PointList } from '../assessment/PointList';
import { ProblemAlert } from '../assessment/ProblemAlert';
import { QuestionInput } from '../assessment/QuestionInput';
import { asBody, isBlank, round2, type ItemType } from '../assessment/model';
import { MasteryChange } from './MasteryBits';
import { pct, type PracticeItem, type PracticeResult } from './model';

export interface Answered {
  item: PracticeItem;
  answer: unknown;
  result: PracticeResult;
  /** The plan step the question was answered in. */
  step: { code: string; name: string };
}

export function PracticeQuestion(props: {
  item: PracticeItem;
  n: number;
  done?: Answered;
  onAnswered(a: { answer: unknown; result: PracticeResult }): void;
}) {
  const { t } = useI18n();
  const { item, done } = props;
  const body = asBody(item.body);
  const type = item.type as ItemType;
  const [answer, setAnswer] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<PracticeResult>('/api/learning/practice', { itemId: item.itemId, answer });
      props.onAnswered({ answer, result });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      size="small"
      className="zj-question zj-practice"
      data-testid="practice-item"
      data-item-id={item.itemId}
      data-type={item.type}
      data-answered={done ? 'true' : 'false'}
      title={
        <Space size={6} wrap>
          <span className="zj-question-no">{t.learning.practiceN(props.n)}</span>
          <Tag color={TYPE_COLORS[type]}>{t.items.types[type] ?? type}</Tag>
          <Tag bordered={false}>{t.items.difficulties[item.difficulty] ?? t.items.difficultyN(item.difficulty)}</Tag>
        </Space>
      }
      extra={
        <Tooltip title={t.learning.predicted(pct(item.predicted))}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="predicted">
            {t.learning.predicted(pct(item.predicted))}
          </Typography.Text>
        </Tooltip>
      }
    >
      {done ? (
        <PracticeFeedback done={done} type={type} />
      ) : (
        <>
          <QuestionInput body={body} value={answer} onChange={setAnswer} disabled={busy} testId={`p-${item.itemId.slice(0, 8)}`} />
          {error && (
            <div style={{ marginTop: 12 }}>
              <ProblemAlert error={error} title={t.learning.practiceFailed} onClose={() => setError(null)} testId="practice-error" />
            </div>
          )}
          <div style={{ marginTop: 12, textAlign: 'right' }}>
            <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={isBlank(answer)} onClick={() => void check()} data-testid="practice-submit">
              {t.learning.submit}
            </Button>
          </div>
        </>
      )}
    </Card>
  );
}

function PracticeFeedback({ done, type }: { done: Answered; type: ItemType }) {
  const { t } = useI18n();
  const body = asBody(done.item.body);
  const r = done.result;
  const partial = !r.correct && r.score > 0;
  return (
    <div data-testid="practice-result" data-correct={r.correct ? 'true' : 'false'}>
      <RichText text={body.stem} />
      <Alert
        style={{ marginTop: 8 }}
        type={r.correct ? 'success' : partial ? 'warning' : 'error'}
        showIcon
        data-testid="practice-verdict"
        message={
          <Space size={12} wrap>
            <span>{r.correct ? t.learning.correct : t.learning.incorrect}</span>
            <Typography.Text type="secondary">{t.learning.scoreLine(round2(r.score), round2(r.max))}</Typography.Text>
          </Space>
        }
      />
      <div className="zj-feedback-label">{t.learning.yourAnswer}</div>
      <AnswerView type={type} answer={done.answer} points={r.points} body={body} />
      {(type === 'short_answer' || type === 'fill_blank' || type === 'composite') && <PointList points={r.points} type={type} />}
      <div className="zj-feedback-label">{correctAnswerLabel(type, t)}</div>
      <div data-testid="practice-correct-answer">
        <CorrectAnswerView type={type} answer={r.correctAnswer} body={body} withKeyPoints={!(type === 'short_answer' && r.points.length > 0)} />
      </div>
      {r.explanation && (
        <div className="zj-explanation" data-testid="practice-explanation">
          <Typography.Text strong>{t.assessment.explanation}</Typography.Text>
          <RichText text={r.explanation} />
        </div>
      )}
      <MasteryChange changes={r.mastery} />
    </div>
  );
}
