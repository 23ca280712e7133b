/** One step of today's plan: why, how well the point is known, and its practice questions inline. */
import { useState } from 'react';
import { Button, Card, Empty, Space, Tag, Typography } from 'antd';
import { BulbOutlined, CheckCircleFilled, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { MasteryTag, PKnowBar } from './MasteryBits';
import { PracticeQuestion, type Answered } from './PracticeQuestion';
import type { PlanStep, PracticeItem, PracticeResult } from './model';

const MAX_SHOWN = 3;

export function PlanStepCard(props: {
  step: PlanStep;
  n: number;
  /** Questions of this step answered in this session (kept on screen while the plan moves on). */
  answered: Answered[];
  /** The step is no longer in the plan (its point moved on); only its answered questions remain. */
  gone?: boolean;
  onAnswered(item: PracticeItem, a: { answer: unknown; result: PracticeResult }): void;
}) {
  const { t, lang } = useI18n();
  const { step, answered, gone } = props;
  const answeredIds = new Set(answered.map((a) => a.item.itemId));
  const pending = gone ? [] : step.items.filter((i) => !answeredIds.has(i.itemId));
  const [extra, setExtra] = useState(0);
  // at most three practice questions per step: one open at a time, "another one" opens the next
  const budget = Math.max(0, MAX_SHOWN - answered.length);
  const shown = pending.slice(0, Math.min(budget, 1 + extra));
  const more = Math.min(budget, pending.length) - shown.length;

  return (
    <Card
      className={`zj-plan-step${gone ? ' zj-plan-step-gone' : ''}`}
      data-testid="plan-step"
      data-code={step.code}
      data-kind={step.kind}
      data-gone={gone ? 'true' : 'false'}
      data-observations={step.mastery.observations}
      data-pknow={step.mastery.pKnow}
      title={
        <Space size={8} wrap>
          <span className="zj-step-no">{t.learning.stepN(props.n)}</span>
          <Tag color={step.kind === 'review' ? 'purple' : 'blue'} bordered={false}>
            {t.learning.kinds[step.kind]}
          </Tag>
          <span data-testid="step-name">{step.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
            {step.code}
          </Typography.Text>
        </Space>
      }
      extra={gone ? <Tag icon={<CheckCircleFilled />} color="success">{t.learning.stepLeftPlan}</Tag> : <MasteryTag m={step.mastery} testId="step-mastery" />}
    >
      {!gone && (
        <>
          <div className="zj-step-reason" data-testid="step-reason">
            <BulbOutlined style={{ color: '#faad14', marginRight: 8 }} />
            {step.reason[lang] ?? step.reason['zh-CN']}
          </div>
          <div className="zj-step-meta">
            <PKnowBar m={step.mastery} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="step-evidence">
              {t.learning.evidence(step.mastery.observations, step.mastery.correct)}
            </Typography.Text>
          </div>
        </>
      )}
      {answered.map((a, i) => (
        <PracticeQuestion key={a.item.itemId} item={a.item} n={i + 1} done={a} onAnswered={() => undefined} />
      ))}
      {shown.map((item, i) => (
        <PracticeQuestion key={item.itemId} item={item} n={answered.length + i + 1} onAnswered={(a) => props.onAnswered(item, a)} />
      ))}
      {!gone && step.items.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.learning.noItems} />}
      {more > 0 && (
        <Button type="dashed" block icon={<PlusOutlined />} style={{ marginTop: 12 }} onClick={() => setExtra((x) => x + 1)} data-testid="practice-more">
          {t.learning.moreItems(more)}
        </Button>
      )}
    </Card>
  );
}
