/**
 * /mastery and /classes/:id/mastery (teachers, "学情"): a class's mastery per student and
 * knowledge point as a heatmap, the weakest points, the students who need attention, and the way
 * into tiered practice on the chosen points.
 */
import { useMemo, useState } from 'react';
import { Button, Card, Checkbox, Col, Empty, List, Row, Select, Skeleton, Space, Switch, Tag, Typography } from 'antd';
import { AlertOutlined, ClusterOutlined } from '@ant-design/icons';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { usePoints, useSubjects } from '../items/model';
import { classLabel } from '../identity/format';
import { MasteryHeatmap } from './MasteryHeatmap';
import { PKNOW_COLORS, defaultSubject, pct, taughtClasses, taughtSubjects, type ClassMastery } from './model';
import { SubjectSelect } from './SubjectSelect';
import './learning.css';

/** Default selection for tiered practice: the three weakest points. */
const DEFAULT_PICK = 3;

export function MasteryPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { me } = useSession();
  const { id: routeClassId } = useParams();
  const [params, setParams] = useSearchParams();
  const classes = useApi<ClassSummary[]>('/api/classes');
  const subjects = useSubjects();
  const mine = useMemo(() => taughtClasses(classes.data), [classes.data]);
  const classId = routeClassId ?? params.get('classId') ?? mine[0]?.id;
  const cls = (classes.data ?? []).find((c) => c.id === classId);
  const subject = params.get('subject') ?? defaultSubject(subjects.data, taughtSubjects(me, cls ? [cls] : mine));
  const cm = useApi<ClassMastery>(classId && subject ? `/api/learning/classes/${encodeURIComponent(classId)}/mastery${query({ subject })}` : null);
  const graph = usePoints(subject);
  const [showAll, setShowAll] = useState(false);
  const [picked, setPicked] = useState<{ key: string; codes: Set<string> } | null>(null);

  const setParam = (k: string, v: string) => {
    if (routeClassId && k === 'classId') {
      navigate(`/classes/${v}/mastery${query({ subject })}`);
      return;
    }
    setParams((p) => {
      const n = new URLSearchParams(p);
      n.set(k, v);
      return n;
    });
  };

  const data = cm.data;
  const key = `${classId}|${subject}`;
  const chosen = picked?.key === key ? picked.codes : new Set(data?.weakest.slice(0, DEFAULT_PICK) ?? []);
  const toggle = (code: string) => {
    const next = new Set(chosen);
    if (next.has(code)) next.delete(code);
    else next.add(code);
    setPicked({ key, codes: next });
  };

  const observedPoints = useMemo(() => (data?.points ?? []).filter((p) => p.observed > 0), [data]);
  // The server lists the points with evidence; "all of the grade" comes from the graph (grey where nobody answered).
  const gradePoints = useMemo(() => {
    const stats = new Map((data?.points ?? []).map((p) => [p.code, p]));
    const grade = cls?.gradeLevel;
    const all = graph.points
      .filter((p) => p.grade === grade || stats.has(p.code))
      .map((p) => stats.get(p.code) ?? { code: p.code, name: p.name, grade: p.grade, meanPKnow: null, masteredShare: 0, observed: 0 });
    return all.length ? all : (data?.points ?? []);
  }, [data, cls, graph.points]);
  const shownPoints = showAll ? gradePoints : observedPoints;
  const students = useMemo(() => [...(data?.students ?? [])].sort((a, b) => (a.studentNo < b.studentNo ? -1 : 1)), [data]);
  const byCode = useMemo(() => new Map((data?.points ?? []).map((p) => [p.code, p])), [data]);
  const attention = students.filter((s) => s.attention);

  const error = classes.error ?? subjects.error ?? cm.error;
  if (error) return <ApiErrorView error={error} />;
  if (classes.data && mine.length === 0 && !routeClassId)
    return (
      <>
        <PageHeader title={t.learning.masteryTitle} />
        <Card>
          <Empty description={t.learning.noClasses} />
        </Card>
      </>
    );

  const goTiers = () =>
    navigate(`/mastery/tiers${query({ classId, subject, kps: [...chosen].join(',') })}`);

  return (
    <>
      <PageHeader
        title={t.learning.masteryTitle}
        subtitle={t.learning.masterySubtitle}
        onBack={routeClassId ? () => navigate(`/classes/${routeClassId}`) : undefined}
        extra={
          <Button type="primary" icon={<ClusterOutlined />} disabled={!data || chosen.size === 0} onClick={goTiers} data-testid="go-tiers">
            {t.learning.tierButton}
            {chosen.size > 0 ? `（${chosen.size}）` : ''}
          </Button>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <div className="zj-filter-bar">
          <Space>
            <Typography.Text type="secondary">{t.learning.class}</Typography.Text>
            <Select
              style={{ width: 220 }}
              value={classId}
              placeholder={t.learning.classPlaceholder}
              loading={!classes.data}
              data-testid="mastery-class"
              options={(mine.length ? mine : cls ? [cls] : []).map((c) => ({ value: c.id, label: classLabel(c) }))}
              onChange={(v: string) => setParam('classId', v)}
            />
          </Space>
          <SubjectSelect value={subject} onChange={(v) => setParam('subject', v)} testId="mastery-subject" />
          <Space>
            <Switch checked={showAll} onChange={setShowAll} data-testid="mastery-show-all" />
            <Typography.Text>{t.learning.showAll(cls ? cls.gradeName : t.curriculum.gradeName(7))}</Typography.Text>
          </Space>
          {data && (
            <Typography.Text type="secondary">
              {t.learning.studentsN(students.length)} · {t.learning.pointsN(shownPoints.length)}
            </Typography.Text>
          )}
        </div>
      </Card>
      {!data ? (
        <Card>
          <Skeleton active paragraph={{ rows: 10 }} />
        </Card>
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} xxl={17}>
            <Card title={t.learning.heatmapTitle} extra={<HeatLegend />} data-testid="heatmap-card">
              <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                {t.learning.heatmapHint}
              </Typography.Paragraph>
              {shownPoints.length === 0 ? (
                <Empty description={t.learning.noEvidence} data-testid="mastery-empty" />
              ) : (
                <MasteryHeatmap points={shownPoints} students={students} picked={chosen} onToggle={toggle} />
              )}
            </Card>
          </Col>
          <Col xs={24} xxl={7}>
            <Row gutter={[16, 16]}>
              <Col xs={24} lg={12} xxl={24}>
                <Card title={t.learning.weakestTitle} data-testid="weakest" style={{ height: '100%' }}>
                  {data.weakest.length === 0 ? (
                    <Typography.Text type="secondary">{t.learning.weakestEmpty}</Typography.Text>
                  ) : (
                    <List
                      size="small"
                      dataSource={data.weakest.map((c) => byCode.get(c)).filter((p) => p !== undefined)}
                      renderItem={(p) => (
                        <List.Item data-testid="weak-point" data-code={p.code}>
                          <Checkbox checked={chosen.has(p.code)} onChange={() => toggle(p.code)} style={{ width: '100%' }} data-testid="weak-point-check">
                            <div className="zj-weak-row">
                              <Space size={6} wrap>
                                <Typography.Text strong>{p.name}</Typography.Text>
                                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                  {p.code}
                                </Typography.Text>
                              </Space>
                              <Space size={[12, 0]} wrap style={{ fontSize: 12 }}>
                                <Typography.Text type="secondary">{p.meanPKnow === null ? t.learning.noMean : t.learning.meanPKnow(pct(p.meanPKnow))}</Typography.Text>
                                <Typography.Text type="secondary">{t.learning.masteredShare(pct(p.masteredShare))}</Typography.Text>
                                <Typography.Text type="secondary">{t.learning.observed(p.observed)}</Typography.Text>
                              </Space>
                            </div>
                          </Checkbox>
                        </List.Item>
                      )}
                    />
                  )}
                </Card>
              </Col>
              <Col xs={24} lg={12} xxl={24}>
                <Card
                  style={{ height: '100%' }}
                  title={
                    <Space>
                      <AlertOutlined style={{ color: '#fa541c' }} />
                      {t.learning.attentionTitle}
                    </Space>
                  }
                  data-testid="attention"
                >
                  {attention.length === 0 ? (
                    <Typography.Text type="secondary">{t.learning.attentionEmpty}</Typography.Text>
                  ) : (
                    <List
                      size="small"
                      dataSource={attention}
                      renderItem={(s) => (
                        <List.Item data-testid="attention-student" data-id={s.id}>
                          <div>
                            <Space size={6}>
                              <a onClick={() => navigate(`/students/${s.id}`)}>{s.name}</a>
                              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                                {s.studentNo}
                              </Typography.Text>
                              {s.meanPKnow !== null && <Tag bordered={false}>{t.learning.meanPKnow(pct(s.meanPKnow))}</Tag>}
                            </Space>
                            <div style={{ color: '#595959', marginTop: 2 }}>{s.attention?.[lang] ?? s.attention?.['zh-CN']}</div>
                          </div>
                        </List.Item>
                      )}
                    />
                  )}
                </Card>
              </Col>
            </Row>
          </Col>
        </Row>
      )}
    </>
  );
}

function HeatLegend() {
  const { t } = useI18n();
  return (
    <Space size={4} style={{ fontSize: 12 }}>
      <span>0%</span>
      <span style={{ display: 'inline-block', width: 90, height: 10, borderRadius: 2, background: `linear-gradient(90deg, ${PKNOW_COLORS.join(',')})` }} />
      <span>100%</span>
      <span className="zj-state-dot" style={{ background: '#f0f0f0', border: '1px solid #d9d9d9', marginLeft: 8, borderRadius: 2 }} />
      <span>{t.learning.noEvidenceCell}</span>
    </Space>
  );
}
