/**
 * One pending mark for a teacher: the question, the student's answer with the engine's evidence,
 * the engine's per-point scores with an input per point, a comment, and accept / save.
 */
import { useState } from 'react';
import { App, Button, Card, Input, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { CheckOutlined, SaveOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import { RichText } from '../items/RichText';
import { TYPE_COLORS } from '../items/model';
import { AnswerView } from './AnswerView';
import { engineText, plainNumber, pointLabel, reasonText, round2, type PointMark, type ReviewTask } from './model';

export const taskKey = (task: Pick<ReviewTask, 'submissionId' | 'position'>) => `${task.submissionId}:${task.position}`;

function confidenceColor(c: number) {
  return c < 0.4 ? 'red' : c < 0.7 ? 'orange' : 'green';
}

export function ReviewCard({ task, onDone }: { task: ReviewTask; onDone(finalScore: number): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [scores, setScores] = useState<Record<string, number>>(() => Object.fromEntries(task.points.map((p) => [p.id, p.score])));
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<'accept' | 'save' | null>(null);
  const hasNotes = task.points.some((p) => p.reason || p.evidence?.text);
  const changed = task.points.some((p) => Math.abs((scores[p.id] ?? p.score) - p.score) > 1e-9);
  const itemScore = round2(task.points.reduce((s, p) => s + (scores[p.id] ?? p.score), 0) * task.scale);

  const decide = async (kind: 'accept' | 'save') => {
    setBusy(kind);
    const body: { points?: { id: string; score: number }[]; comment?: string } = {};
    if (kind === 'save') body.points = task.points.map((p) => ({ id: p.id, score: scores[p.id] ?? p.score }));
    if (comment.trim()) body.comment = comment.trim();
    try {
      const r = await api.post<{ finalScore: number }>(`/api/review/${task.submissionId}/${task.position}`, body);
      message.success(t.assessment.reviewed(r.finalScore));
      onDone(r.finalScore);
    } catch (e) {
      message.error(`${t.assessment.reviewFailed}：${errorText(toApiError(e), t)}`);
      setBusy(null);
    }
  };

  return (
    <Card
      className="zj-review-card"
      size="small"
      data-testid="review-task"
      data-type={task.type}
      data-position={task.position}
      title={
        <Space size={6} wrap>
          <Typography.Text strong>{task.studentName}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>
            {task.assignmentTitle} · {t.assessment.questionN(task.position)}
          </Typography.Text>
          <Tag color={TYPE_COLORS[task.type]}>{t.items.types[task.type]}</Tag>
        </Space>
      }
      extra={
        <Typography.Text strong data-testid="review-item-score">
          {t.assessment.itemScore(itemScore, task.max)}
        </Typography.Text>
      }
    >
      <div className="zj-review-meta">
        <span>
          {t.assessment.engine}：{engineText(task.engine, t)}
        </span>
        <span>
          {t.assessment.confidence}：
          <Tag color={confidenceColor(task.confidence)} bordered={false} data-testid="review-confidence">
            {Math.round(task.confidence * 100)}%
          </Tag>
        </span>
        <span>
          {t.assessment.reason}：
          <Tag color="gold" bordered={false} data-testid="review-reason">
            {reasonText(task.reason, t)}
          </Tag>
        </span>
      </div>
      <div className="zj-feedback-label">{t.items.stem}</div>
      <RichText text={task.stem} />
      <div className="zj-feedback-label">{t.assessment.studentAnswer}</div>
      <div data-testid="review-answer">
        <AnswerView type={task.type} answer={task.answer} points={task.points} />
      </div>
      <Table<PointMark>
        className="zj-review-points"
        size="small"
        rowKey="id"
        pagination={false}
        style={{ marginTop: 12 }}
        dataSource={task.points}
        data-testid="review-points"
        columns={[
          { title: t.assessment.pointLabel, dataIndex: 'label', render: (_: string, p) => <span data-testid="review-point-label">{pointLabel(p, task.type, t)}{p.negated ? ` ${t.assessment.negated}` : ''}</span> },
          { title: t.assessment.engineScore, dataIndex: 'score', width: 90 },
          { title: t.assessment.max, dataIndex: 'max', width: 70 },
          ...(hasNotes
            ? [
                {
                  title: t.assessment.pointReason,
                  width: 260,
                  render: (_: unknown, p: PointMark) => (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {p.evidence?.text ? `「${p.evidence.text}」` : ''}
                      {p.reason ?? ''}
                    </Typography.Text>
                  ),
                },
              ]
            : []),
          {
            title: t.assessment.pointScore,
            width: 130,
            render: (_, p) => (
              <InputNumber
                min={0}
                max={p.max}
                step={p.max <= 5 ? 0.5 : 1}
                formatter={plainNumber}
                value={scores[p.id] ?? p.score}
                onChange={(v) => setScores((s) => ({ ...s, [p.id]: v ?? 0 }))}
                style={{ width: 100 }}
                data-testid={`review-point-${p.id}`}
              />
            ),
          },
        ]}
      />
      <Input.TextArea
        style={{ marginTop: 12 }}
        autoSize={{ minRows: 2, maxRows: 6 }}
        maxLength={2000}
        placeholder={t.assessment.commentPlaceholder}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        data-testid="review-comment"
      />
      <div className="zj-review-actions">
        <span />
        <Space>
          <Button icon={<CheckOutlined />} loading={busy === 'accept'} disabled={busy !== null || changed} onClick={() => void decide('accept')} data-testid="review-accept">
            {t.assessment.accept}
          </Button>
          <Button type="primary" icon={<SaveOutlined />} loading={busy === 'save'} disabled={busy !== null} onClick={() => void decide('save')} data-testid="review-save">
            {t.assessment.saveAdjust}
          </Button>
        </Space>
      </div>
    </Card>
  );
}
