/**
 * One error-notebook entry: the question, the last answer, when to review it; "redo" answers it
 * again (marked at once, then the correct answer and explanation), "mastered" files it away.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Space, Tag, Typography } from 'antd';
import { CheckOutlined, RedoOutlined, RollbackOutlined, SendOutlined } from '@ant-design/icons';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { RichText } from '../items/RichText';
import { TYPE_COLORS } from '../items/model';
import { AnswerView, CorrectAnswerView, StemView, correctAnswerLabel } from './AnswerView';
import { PointList } from './PointList';
import { ProblemAlert } from './ProblemAlert';
import { QuestionInput } from './QuestionInput';
import { asBody, isBlank, type NotebookEntry, type RetryResult } from './model';

export function NotebookEntryCard(props: { entry: NotebookEntry; kpName(code: string): string; subjectName: string; onChange(e: NotebookEntry): void }) {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const e = props.entry;
  const body = asBody(e.body);
  const [redo, setRedo] = useState(false);
  const [answer, setAnswer] = useState<unknown>(null);
  const [result, setResult] = useState<RetryResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const due = new Date(e.dueAt).getTime() <= Date.now();

  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<RetryResult>(`/api/notebook/${e.id}/retry`, { answer });
      setResult(r);
      props.onChange(r.entry);
    } catch (x) {
      setError(toApiError(x));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (status: 'open' | 'mastered') => {
    setBusy(true);
    try {
      const updated = await api.post<NotebookEntry>(`/api/notebook/${e.id}/status`, { status });
      message.success(status === 'mastered' ? t.assessment.markedMastered : t.assessment.reopened);
      props.onChange(updated);
    } catch (x) {
      setError(toApiError(x));
    } finally {
      setBusy(false);
    }
  };

  const startRedo = () => {
    setRedo(true);
    setAnswer(null);
    setResult(null);
    setError(null);
  };

  return (
    <Card
      size="small"
      className="zj-question"
      data-testid="notebook-entry"
      data-type={e.type}
      title={
        <Space size={6} wrap>
          <Tag color={TYPE_COLORS[e.type]}>{t.items.types[e.type]}</Tag>
          <Tag bordered={false}>{props.subjectName}</Tag>
          {e.source.assignmentTitle && (
            <Typography.Text type="secondary" style={{ fontWeight: 'normal', fontSize: 12 }}>
              {t.assessment.from(e.source.assignmentTitle)}
            </Typography.Text>
          )}
        </Space>
      }
      extra={
        e.status === 'mastered' ? (
          <Tag color="success">{t.assessment.statusMastered}</Tag>
        ) : due ? (
          <Tag color="volcano">{t.assessment.dueNow}</Tag>
        ) : (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.assessment.nextReview(formatTime(e.dueAt, lang))}
          </Typography.Text>
        )
      }
    >
      {redo && !result ? (
        <QuestionInput body={body} value={answer} onChange={setAnswer} disabled={busy} testId={`nb-${e.id.slice(0, 8)}`} />
      ) : (
        <StemView body={body} />
      )}
      {!redo && (
        <>
          <div className="zj-feedback-label">{t.assessment.lastAnswer}</div>
          <AnswerView type={e.type} answer={e.lastAnswer} body={body} />
        </>
      )}
      {error && <div style={{ marginTop: 12 }}>{<ProblemAlert error={error} title={t.common.errorTitle} onClose={() => setError(null)} />}</div>}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="retry-result">
          <Alert
            type={result.correct ? 'success' : 'warning'}
            showIcon
            message={result.correct ? t.assessment.retryCorrect : e.type === 'essay' ? t.assessment.retryPending : t.assessment.retryIncorrect}
            data-testid="retry-verdict"
            data-correct={result.correct ? 'true' : 'false'}
          />
          <div className="zj-feedback-label">{t.assessment.yourAnswer}</div>
          <AnswerView type={e.type} answer={answer} points={result.points} body={body} />
          {(e.type === 'short_answer' || e.type === 'fill_blank' || e.type === 'composite') && <PointList points={result.points} type={e.type} />}
          <div className="zj-feedback-label">{correctAnswerLabel(e.type, t)}</div>
          <CorrectAnswerView type={e.type} answer={result.correctAnswer} body={body} withKeyPoints={!(e.type === 'short_answer' && result.points.length > 0)} />
          {result.explanation && (
            <div className="zj-explanation">
              <Typography.Text strong>{t.assessment.explanation}</Typography.Text>
              <RichText text={result.explanation} />
            </div>
          )}
        </div>
      )}
      <div className="zj-review-actions">
        <Space size={4} wrap>
          {e.knowledgePoints.map((k) => (
            <Tag key={k} bordered={false} color="blue">
              {props.kpName(k)}
            </Tag>
          ))}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t.assessment.retries(e.retries)}
            {e.correctStreak > 0 ? ` · ${t.assessment.streak(e.correctStreak)}` : ''}
          </Typography.Text>
        </Space>
        <Space>
          {redo && !result ? (
            <>
              <Button onClick={() => setRedo(false)} disabled={busy}>
                {t.assessment.collapse}
              </Button>
              <Button type="primary" icon={<SendOutlined />} loading={busy} disabled={isBlank(answer)} onClick={() => void check()} data-testid="retry-check">
                {t.assessment.checkAnswer}
              </Button>
            </>
          ) : (
            <Button icon={<RedoOutlined />} onClick={startRedo} data-testid="retry-open">
              {t.assessment.redo}
            </Button>
          )}
          {e.status === 'open' ? (
            <Button icon={<CheckOutlined />} loading={busy && !redo} onClick={() => void setStatus('mastered')} data-testid="mark-mastered">
              {t.assessment.markMastered}
            </Button>
          ) : (
            <Button icon={<RollbackOutlined />} onClick={() => void setStatus('open')} data-testid="reopen">
              {t.assessment.reopen}
            </Button>
          )}
        </Space>
      </div>
    </Card>
  );
}
