/**
 * /companion (students, "学伴"): today's plan from the learner model — steps with the reason in
 * plain words, practice questions answered inline (the plan is fetched again after each answer,
 * so it visibly moves on) — the summary, mistakes due for review, progress over time and the
 * learning path to a chosen goal.
 */
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { App, Card, Col, Empty, List, Row, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import { BookOutlined, CheckCircleOutlined, ClockCircleOutlined, FieldTimeOutlined, ReadOutlined } from '@ant-design/icons';
import { Link, useSearchParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { usePoints, useSubjects } from '../items/model';
import { ancestorsOf, indexGraph } from '../curriculum/graph-model';
import { HistoryChart } from './HistoryChart';
import { LearningPath } from './LearningPath';
import { PlanStepCard } from './PlanStepCard';
import type { Answered } from './PracticeQuestion';
import { STATE_COLORS, defaultSubject, type MasteryHistory, type Plan, type PlanStep, type PointMastery, type PracticeItem, type PracticeResult } from './model';
import { SubjectSelect } from './SubjectSelect';
import './learning.css';

export function CompanionPage() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const subjects = useSubjects();
  const subject = params.get('subject') ?? defaultSubject(subjects.data);
  const q = subject ? query({ subject }) : null;
  const plan = useApi<Plan>(q && `/api/learning/plan${q}`);
  const mastery = useApi<PointMastery[]>(q && `/api/learning/mastery${q}`);
  const history = useApi<MasteryHistory>(q && `/api/learning/history${q}`);
  const graph = usePoints(subject);
  const [version, setVersion] = useState(0);
  // answered in this visit, per subject: they stay on screen while the plan moves on
  const [answered, setAnswered] = useState<(Answered & { subject: string; stepIndex: number })[]>([]);

  const setParam = (k: string, v: string | null) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v === null) n.delete(k);
        else n.set(k, v);
        if (k === 'subject') n.delete('goal');
        return n;
      },
      { replace: true },
    );

  const { reload: reloadPlan } = plan;
  const { reload: reloadMastery } = mastery;
  const { reload: reloadHistory } = history;
  const onAnswered = useCallback(
    (step: PlanStep, stepIndex: number, item: PracticeItem, a: { answer: unknown; result: PracticeResult }) => {
      if (!subject) return;
      setAnswered((xs) => [...xs, { item, answer: a.answer, result: a.result, step: { code: step.code, name: step.name }, subject, stepIndex }]);
      reloadPlan();
      reloadMastery();
      reloadHistory();
      setVersion((v) => v + 1);
      message.success(t.learning.planUpdated);
    },
    [subject, reloadPlan, reloadMastery, reloadHistory, message, t],
  );

  // The steps as shown: the current plan, with steps that left it since an answer kept in place.
  const shown = useMemo(() => {
    const steps = plan.data?.steps ?? [];
    const mine = answered.filter((a) => a.subject === subject);
    const out: { step: PlanStep; gone: boolean }[] = steps.map((s) => ({ step: s, gone: false }));
    const goneCodes = [...new Set(mine.map((a) => a.step.code))].filter((c) => !steps.some((s) => s.code === c));
    for (const code of goneCodes) {
      const first = mine.find((a) => a.step.code === code)!;
      const fake: PlanStep = {
        code,
        name: first.step.name,
        kind: 'learn',
        reason: { 'zh-CN': '', en: '' },
        mastery: (mastery.data ?? []).find((m) => m.code === code) ?? {
          code,
          name: first.step.name,
          grade: 0,
          pKnow: 0,
          observations: 0,
          correct: 0,
          uncertainty: 1,
          state: 'learning',
          lastAt: null,
        },
        items: [],
      };
      out.splice(Math.min(first.stepIndex, out.length), 0, { step: fake, gone: true });
    }
    return out;
  }, [plan.data, answered, subject, mastery.data]);

  // A goal a few steps ahead: the point of the first step's grade that builds on it with the longest path (≤ 10).
  const defaultGoal = useMemo(() => {
    const g = graph.data;
    const first = plan.data?.steps[0];
    if (!g || !first) return g?.points[0]?.code;
    const idx = indexGraph(g);
    const grade = idx.byCode.get(first.code)?.grade;
    let best = first.code;
    let bestLen = 0;
    for (const p of g.points) {
      if (p.grade !== grade) continue;
      const anc = ancestorsOf(idx, p.code);
      if (!anc.includes(first.code) || anc.length + 1 > 10) continue;
      if (anc.length + 1 > bestLen) {
        best = p.code;
        bestLen = anc.length + 1;
      }
    }
    return best;
  }, [graph.data, plan.data]);
  const goal = params.get('goal') ?? defaultGoal;

  const kpName = (code: string) => graph.byCode.get(code)?.name ?? code;
  const error = plan.error ?? subjects.error;
  if (error) return <ApiErrorView error={error} />;
  const p = plan.data;

  return (
    <>
      <PageHeader
        title={t.learning.companionTitle}
        subtitle={t.learning.companionSubtitle}
        extra={
          <SubjectSelect value={subject} onChange={(v) => setParam('subject', v)} testId="companion-subject" />
        }
      />
      {!p ? (
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      ) : (
        <>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="plan-summary">
            <SummaryCard title={t.learning.summaryMastered} value={p.summary.mastered} color={STATE_COLORS.mastered} icon={<CheckCircleOutlined />} testId="summary-mastered" />
            <SummaryCard title={t.learning.summaryLearning} value={p.summary.learning} color={STATE_COLORS.learning} icon={<ReadOutlined />} testId="summary-learning" />
            <SummaryCard title={t.learning.summaryNotStarted} value={p.summary.notStarted} color="#8c8c8c" icon={<ClockCircleOutlined />} testId="summary-not-started" />
            <SummaryCard title={t.learning.summaryTotal} value={p.summary.total} color="#1677ff" icon={<BookOutlined />} testId="summary-total" />
          </Row>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={15}>
              <Card
                title={t.learning.planTitle}
                extra={
                  <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="plan-generated">
                    {t.learning.generatedAt(formatTime(p.generatedAt, lang))}
                  </Typography.Text>
                }
                styles={{ body: { padding: shown.length ? 16 : undefined } }}
                data-testid="plan"
                data-steps={p.steps.map((s) => s.code).join(',')}
              >
                {shown.length === 0 ? (
                  <Empty description={t.learning.planEmpty} data-testid="plan-empty" />
                ) : (
                  <div className="zj-plan-steps">
                    {shown.map(({ step, gone }, i) => (
                      <PlanStepCard
                        key={`${step.code}${gone ? '-gone' : ''}`}
                        step={step}
                        n={i + 1}
                        gone={gone}
                        answered={answered.filter((a) => a.subject === subject && a.step.code === step.code)}
                        onAnswered={(item, a) => onAnswered(step, i, item, a)}
                      />
                    ))}
                  </div>
                )}
              </Card>
            </Col>
            <Col xs={24} xl={9}>
              <Space direction="vertical" size={16} style={{ width: '100%' }}>
                <Card
                  title={t.learning.reviewDueTitle}
                  data-testid="review-due"
                  extra={
                    <Link to="/notebook" data-testid="review-due-link">
                      {t.learning.goNotebook}
                    </Link>
                  }
                >
                  {p.reviewDue.length === 0 ? (
                    <Typography.Text type="secondary">{t.learning.reviewDueEmpty}</Typography.Text>
                  ) : (
                    <>
                      <Typography.Paragraph strong>{t.learning.reviewDueCount(p.reviewDue.length)}</Typography.Paragraph>
                      <List
                        size="small"
                        dataSource={p.reviewDue.slice(0, 6)}
                        renderItem={(e) => (
                          <List.Item data-testid="review-due-entry">
                            <Space size={4} wrap>
                              {e.knowledgePoints.map((k) => (
                                <Tag key={k} color="blue" bordered={false}>
                                  {kpName(k)}
                                </Tag>
                              ))}
                            </Space>
                            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
                              <FieldTimeOutlined /> {t.learning.reviewDueAt(formatTime(e.dueAt, lang))}
                            </Typography.Text>
                          </List.Item>
                        )}
                      />
                    </>
                  )}
                </Card>
                <Card title={t.learning.historyTitle} data-testid="history">
                  {history.error ? <ApiErrorView error={history.error} /> : history.data ? <HistoryChart history={history.data} /> : <Skeleton active />}
                </Card>
              </Space>
            </Col>
          </Row>
          <div style={{ marginTop: 16 }}>
            {subject && (
              <LearningPath
                subject={subject}
                graph={graph.data}
                mastery={mastery.data}
                goal={goal}
                onGoal={(c) => setParam('goal', c)}
                version={version}
              />
            )}
          </div>
        </>
      )}
    </>
  );
}

function SummaryCard(props: { title: string; value: number; color: string; icon: ReactNode; testId: string }) {
  return (
    <Col xs={12} md={6}>
      <Card size="small">
        <Statistic
          title={props.title}
          value={props.value}
          prefix={<span style={{ color: props.color, marginRight: 4 }}>{props.icon}</span>}
          valueStyle={{ color: props.color === '#8c8c8c' ? undefined : props.color }}
        />
        <span data-testid={props.testId} data-value={props.value} hidden />
      </Card>
    </Col>
  );
}
