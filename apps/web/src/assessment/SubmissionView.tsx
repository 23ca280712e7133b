/**
 * A submission with its feedback, per question: score or "awaiting review", the answer with its
 * evidence, the key points hit and missed, the teacher's comment, and (when the feedback policy
 * allows) the correct answer and explanation. Shared by the student's result page and the
 * teacher's view of one student's answers.
 */
import { Alert, Card, Space, Spin, Statistic, Tag, Typography } from 'antd';
import { ClockCircleOutlined } from '@ant-design/icons';
import { formatTime, useI18n } from '../i18n';
import { RichText } from '../items/RichText';
import { TYPE_COLORS } from '../items/model';
import { AnswerView, CorrectAnswerView, StemView, correctAnswerLabel } from './AnswerView';
import { PointList } from './PointList';
import { STATUS_COLORS, asBody, engineText, type Assignment, type AssignmentItem, type ItemFeedback, type Submission } from './model';

const POINTS_SHOWN = new Set(['fill_blank', 'short_answer', 'essay', 'composite']);

export function SubmissionSummary({ s, a }: { s: Submission; a: Pick<Assignment, 'latePenalty' | 'latePolicy'> }) {
  const { t, lang } = useI18n();
  return (
    <Card style={{ marginBottom: 16 }} data-testid="submission-summary">
      <Space size={40} wrap align="center">
        <Statistic
          title={t.assessment.totalLabel}
          value={s.score ?? '—'}
          suffix={`/ ${s.maxScore}`}
          valueStyle={{ color: s.score === null ? '#8c8c8c' : '#1677ff' }}
        />
        <Space direction="vertical" size={4}>
          <Space size={6} wrap>
            <Tag color={STATUS_COLORS[s.status]} data-testid="result-status">
              {t.assessment.status[s.status]}
            </Tag>
            <Tag bordered={false}>{t.assessment.attemptN(s.attempt)}</Tag>
            {s.late && <Tag color="orange">{a.latePolicy === 'penalty' ? t.assessment.latePenaltyNote(a.latePenalty) : t.assessment.late}</Tag>}
          </Space>
          <Typography.Text type="secondary">{t.assessment.submittedAt(formatTime(s.submittedAt, lang))}</Typography.Text>
        </Space>
      </Space>
      {s.status === 'marking' && (
        <Alert type="info" showIcon icon={<Spin size="small" />} message={t.assessment.markingNow} style={{ marginTop: 16 }} data-testid="marking-now" />
      )}
      {s.status === 'review' && <Alert type="warning" showIcon message={t.assessment.pendingNote} style={{ marginTop: 16 }} />}
    </Card>
  );
}

function ScoreBadge({ f }: { f: ItemFeedback }) {
  const { t } = useI18n();
  if (f.status === 'pending')
    return (
      <Tag icon={<ClockCircleOutlined />} color="warning" data-testid="item-score">
        {t.assessment.waitingReview}
      </Tag>
    );
  if (f.score === null)
    return (
      <Tag color="processing" data-testid="item-score">
        {t.assessment.status.marking}
      </Tag>
    );
  const cls = f.score >= f.max - 1e-9 ? 'zj-score-full' : f.score > 0 ? 'zj-score-part' : 'zj-score-zero';
  return (
    <span className={`zj-score-big ${cls}`} data-testid="item-score">
      {f.score} / {f.max}
    </span>
  );
}

export function FeedbackCard({ f, item, feedbackVisible, teacher }: { f: ItemFeedback; item?: AssignmentItem; feedbackVisible: boolean; teacher: boolean }) {
  const { t } = useI18n();
  const body = item ? asBody(item.body) : undefined;
  return (
    <Card
      size="small"
      className="zj-question"
      data-testid="feedback-item"
      data-position={f.position}
      title={
        <Space size={6} wrap>
          <span className="zj-question-no">{t.assessment.questionN(f.position)}</span>
          <Tag color={TYPE_COLORS[f.type]}>{t.items.types[f.type]}</Tag>
          {teacher && f.engine && (
            <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
              {t.assessment.engine}：{engineText(f.engine, t)}
              {f.status === 'reviewed' ? ` → ${t.assessment.engines.teacher}` : ''}
            </Typography.Text>
          )}
        </Space>
      }
      extra={<ScoreBadge f={f} />}
    >
      {body && <StemView body={body} />}
      <div className="zj-feedback-label">{teacher ? t.assessment.studentAnswerOf : t.assessment.yourAnswer}</div>
      <AnswerView type={f.type} answer={f.answer} points={f.points} body={body} />
      {POINTS_SHOWN.has(f.type) && f.points.length > 0 && (
        <>
          <div className="zj-feedback-label">{t.assessment.keyPoints}</div>
          <PointList points={f.points} type={f.type} />
        </>
      )}
      {f.comment && (
        <div className="zj-comment" data-testid="teacher-comment">
          <Typography.Text strong>{t.assessment.teacherComment}：</Typography.Text>
          {f.comment}
        </div>
      )}
      {feedbackVisible && f.correctAnswer !== null && (
        <>
          <div className="zj-feedback-label">{correctAnswerLabel(f.type, t)}</div>
          <div data-testid="correct-answer">
            <CorrectAnswerView type={f.type} answer={f.correctAnswer} body={body} withKeyPoints={f.points.length === 0} />
          </div>
        </>
      )}
      {feedbackVisible && f.explanation && (
        <div className="zj-explanation" data-testid="explanation">
          <Typography.Text strong>{t.assessment.explanation}</Typography.Text>
          <RichText text={f.explanation} />
        </div>
      )}
    </Card>
  );
}

export function SubmissionView({ s, a, teacher }: { s: Submission; a: Assignment; teacher: boolean }) {
  const { t, lang } = useI18n();
  return (
    <div data-testid="submission-view">
      <SubmissionSummary s={s} a={a} />
      {!s.feedbackVisible && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={t.assessment.answersAfterDue(formatTime(a.dueAt, lang))} data-testid="answers-after-due" />
      )}
      {s.items.map((f) => (
        <FeedbackCard key={f.position} f={f} item={a.items.find((i) => i.position === f.position)} feedbackVisible={s.feedbackVisible} teacher={teacher} />
      ))}
    </div>
  );
}
