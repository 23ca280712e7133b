/**
 * /assignments/new: settings (title, kind, classes, times, attempts, late and feedback policy) and
 * the questions, picked from the bank or assembled from a blueprint (previewed before assigning).
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Empty, Form, Input, InputNumber, Radio, Row, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined, ReloadOutlined, SendOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { api, toApiError, type ApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { RichText } from '../items/RichText';
import { TYPE_COLORS, usePointNames, useSubjects } from '../items/model';
import { BlueprintEditor, blueprintBody, blueprintTotal, newRow, type BpState } from './BlueprintEditor';
import { ItemPicker, pickedTotal, type Picked } from './ItemPicker';
import { ProblemAlert, shortRows } from './ProblemAlert';
import { TEACHING_ROLES, type Assignment, type FeedbackPolicy, type Kind, type LatePolicy } from './model';

interface Settings {
  title: string;
  kind: Exclude<Kind, 'paper'>;
  classIds: string[];
  openAt: Dayjs;
  dueAt: Dayjs;
  attemptsAllowed: number;
  latePolicy: LatePolicy;
  latePenalty: number;
  feedbackPolicy: FeedbackPolicy;
}

interface Assembled {
  items: { row: number; itemId: string; type: string; stem: string; difficulty: number; difficultySource: 'calibrated' | 'estimated'; knowledgePoints: string[]; score: number }[];
  totalScore: number;
}

export function AssignmentNewPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { me } = useSession();
  const [form] = Form.useForm<Settings>();
  const classes = useApi<ClassSummary[]>('/api/classes');
  const subjects = useSubjects();
  const mine = useMemo(
    () => (classes.data ?? []).filter((c) => c.myRoles.some((r) => (TEACHING_ROLES as readonly string[]).includes(r))),
    [classes.data],
  );
  const [mode, setMode] = useState<'pick' | 'blueprint'>('blueprint');
  const [picked, setPicked] = useState<Picked[]>([]);
  const [bp, setBp] = useState<BpState>(() => ({ subject: '', grade: 7, rows: [newRow()], seed: 1 }));
  const [preview, setPreview] = useState<{ key: string; result: Assembled } | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<{ e: ApiError; title: string } | null>(null);
  const latePolicy = Form.useWatch('latePolicy', form);

  // Start where the teacher teaches: their subject and the grade of their first class.
  useEffect(() => {
    if (bp.subject || !subjects.data?.length || !classes.data) return;
    const taught = new Set([
      ...mine.flatMap((c) => c.subjects),
      ...(me?.roles ?? []).filter((r) => (TEACHING_ROLES as readonly string[]).includes(r.role)).map((r) => r.subject ?? ''),
    ]);
    const subject =
      subjects.data.find((s) => s.publishedVersion !== null && (taught.has(s.name) || taught.has(s.code))) ??
      subjects.data.find((s) => s.publishedVersion !== null) ??
      subjects.data[0]!;
    setBp((b) => (b.subject ? b : { ...b, subject: subject.code, grade: mine[0]?.gradeLevel ?? b.grade }));
  }, [subjects.data, classes.data, mine, me, bp.subject]);

  const bpKey = JSON.stringify(blueprintBody(bp));
  const fresh = preview?.key === bpKey ? preview.result : null;
  const kpName = usePointNames(bp.subject ? [bp.subject] : []);

  const runPreview = async (seed = bp.seed) => {
    const next = { ...bp, seed };
    if (next.rows.some((r) => r.knowledgePoints.length === 0)) {
      message.warning(t.assessment.rowsIncomplete);
      return;
    }
    if (seed !== bp.seed) setBp(next);
    setPreviewing(true);
    setError(null);
    try {
      const body = blueprintBody(next);
      const result = await api.post<Assembled>('/api/assignments/assemble', body);
      setPreview({ key: JSON.stringify(body), result });
    } catch (e) {
      setPreview(null);
      setError({ e: toApiError(e), title: t.assessment.previewFailed });
    } finally {
      setPreviewing(false);
    }
  };

  const assign = async () => {
    let s: Settings;
    try {
      s = await form.validateFields();
    } catch {
      return;
    }
    if (mode === 'pick' && picked.length === 0) {
      message.warning(t.assessment.noPicked);
      return;
    }
    if (mode === 'blueprint' && !fresh) {
      message.warning(preview ? t.assessment.previewStale : t.assessment.previewFirst);
      return;
    }
    setSaving(true);
    setError(null);
    try {
      const body = {
        title: s.title.trim(),
        kind: s.kind,
        classIds: s.classIds,
        openAt: s.openAt.toISOString(),
        dueAt: s.dueAt.toISOString(),
        attemptsAllowed: s.attemptsAllowed,
        latePolicy: s.latePolicy,
        latePenalty: s.latePolicy === 'penalty' ? s.latePenalty : 0,
        feedbackPolicy: s.feedbackPolicy,
        ...(mode === 'pick'
          ? { items: picked.map((p) => ({ itemId: p.item.id, score: p.score, alwaysReview: p.alwaysReview })) }
          : { blueprint: blueprintBody(bp) }),
      };
      const created = await api.post<Assignment>('/api/assignments', body);
      message.success(t.assessment.assigned);
      navigate(`/assignments/${created.id}`);
    } catch (e) {
      setError({ e: toApiError(e), title: t.assessment.assignFailed });
    } finally {
      setSaving(false);
    }
  };

  const total = mode === 'pick' ? pickedTotal(picked) : (fresh?.totalScore ?? blueprintTotal(bp));
  const now = dayjs().second(0).millisecond(0);

  return (
    <>
      <PageHeader title={t.assessment.newTitle} onBack={() => navigate('/assignments')} />
      {error && <ProblemAlert error={error.e} title={error.title} onClose={() => setError(null)} testId="assign-error" />}
      <Card title={t.assessment.basics} style={{ marginBottom: 16 }}>
        <Form<Settings>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{
            kind: 'homework',
            classIds: [],
            openAt: now,
            dueAt: now.add(7, 'day').hour(22).minute(0),
            attemptsAllowed: 1,
            latePolicy: 'accept',
            latePenalty: 20,
            feedbackPolicy: 'after_submit',
          }}
        >
          <Row gutter={24}>
            <Col xs={24} lg={12}>
              <Form.Item name="title" label={t.assessment.title} rules={[{ required: true, whitespace: true, message: t.assessment.titleRequired }, { max: 120 }]}>
                <Input placeholder={t.assessment.titlePlaceholder} maxLength={120} data-testid="assign-title" />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item name="kind" label={t.assessment.kind}>
                <Radio.Group
                  optionType="button"
                  options={(['homework', 'exam'] as const).map((k) => ({ value: k, label: t.assessment.kinds[k] }))}
                  data-testid="assign-kind"
                />
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="classIds" label={t.assessment.classes} rules={[{ required: true, type: 'array', min: 1, message: t.assessment.classesRequired }]}>
                {classes.data && mine.length === 0 ? (
                  <Alert type="warning" showIcon message={t.assessment.noClasses} />
                ) : (
                  <Checkbox.Group
                    data-testid="assign-classes"
                    options={mine.map((c) => ({ value: c.id, label: `${c.name} · ${t.classes.studentCountValue(c.studentCount)}` }))}
                  />
                )}
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={6}>
              <Form.Item name="openAt" label={t.assessment.openAt} rules={[{ required: true }]}>
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} data-testid="assign-open" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12} lg={6}>
              <Form.Item
                name="dueAt"
                label={t.assessment.dueAt}
                dependencies={['openAt']}
                rules={[
                  { required: true },
                  ({ getFieldValue }) => ({
                    validator: (_, v: Dayjs | undefined) =>
                      !v || !getFieldValue('openAt') || v.isAfter(getFieldValue('openAt') as Dayjs) ? Promise.resolve() : Promise.reject(new Error(t.assessment.dueAfterOpen)),
                  }),
                ]}
              >
                <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} data-testid="assign-due" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6} lg={3}>
              <Form.Item name="attemptsAllowed" label={t.assessment.attempts}>
                <InputNumber min={1} max={10} precision={0} style={{ width: '100%' }} data-testid="assign-attempts" />
              </Form.Item>
            </Col>
            <Col xs={24} md={18} lg={9}>
              <Form.Item label={t.assessment.latePolicy} style={{ marginBottom: 0 }}>
                <Space.Compact block>
                  <Form.Item name="latePolicy" noStyle>
                    <Select
                      style={{ flex: 1 }}
                      options={(['accept', 'penalty', 'reject'] as const).map((p) => ({ value: p, label: t.assessment.latePolicies[p] }))}
                      data-testid="assign-late"
                    />
                  </Form.Item>
                  {latePolicy === 'penalty' && (
                    <Form.Item name="latePenalty" noStyle>
                      <InputNumber min={0} max={100} precision={0} addonAfter="%" style={{ width: 120 }} aria-label={t.assessment.latePenalty} />
                    </Form.Item>
                  )}
                </Space.Compact>
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="feedbackPolicy" label={t.assessment.feedbackPolicy} style={{ marginBottom: 0 }}>
                <Radio.Group options={(['after_submit', 'after_due'] as const).map((p) => ({ value: p, label: t.assessment.feedbackPolicies[p] }))} />
              </Form.Item>
            </Col>
          </Row>
        </Form>
      </Card>

      <Card
        title={t.assessment.itemsTitle}
        extra={
          <Segmented
            value={mode}
            onChange={(v) => setMode(v as 'pick' | 'blueprint')}
            options={[
              { value: 'blueprint', label: t.assessment.modeBlueprint },
              { value: 'pick', label: t.assessment.modePick },
            ]}
            data-testid="assign-mode"
          />
        }
      >
        {mode === 'pick' ? (
          <ItemPicker value={picked} onChange={setPicked} subjects={subjects.data} defaultSubject={bp.subject || undefined} defaultGrade={bp.grade} />
        ) : (
          <>
            <BlueprintEditor
              value={bp}
              onChange={setBp}
              subjects={subjects.data}
              shortRows={error ? shortRows(error.e).map((r) => r.row) : []}
            />
            <Space style={{ marginTop: 16 }} wrap>
              <Button icon={<EyeOutlined />} loading={previewing} onClick={() => void runPreview()} data-testid="bp-preview">
                {t.assessment.preview}
              </Button>
              {fresh && (
                <Button icon={<ReloadOutlined />} disabled={previewing} onClick={() => void runPreview(bp.seed + 1)} data-testid="bp-reshuffle">
                  {t.assessment.reshuffle}
                </Button>
              )}
              {preview && !fresh && <Typography.Text type="warning">{t.assessment.previewStale}</Typography.Text>}
            </Space>
            {fresh && (
              <div style={{ marginTop: 16 }} data-testid="bp-preview-result">
                <Typography.Title level={5}>{t.assessment.previewTitle(fresh.items.length, fresh.totalScore)}</Typography.Title>
                <Table
                  size="small"
                  rowKey="itemId"
                  pagination={false}
                  dataSource={fresh.items}
                  locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
                  columns={[
                    { title: '#', width: 44, render: (_, __, i) => i + 1 },
                    { title: t.assessment.bpRow, dataIndex: 'row', width: 80, render: (r: number) => t.assessment.rowN(r) },
                    {
                      title: t.items.type,
                      dataIndex: 'type',
                      width: 100,
                      render: (ty: string) => <Tag color={TYPE_COLORS[ty as keyof typeof TYPE_COLORS]}>{t.items.types[ty]}</Tag>,
                    },
                    { title: t.items.stem, dataIndex: 'stem', render: (s: string) => <RichText text={s} clamp={2} /> },
                    {
                      title: t.items.knowledgePoints,
                      dataIndex: 'knowledgePoints',
                      width: 200,
                      render: (k: string[]) => k.map((c) => <Tag key={c} bordered={false} color="blue">{kpName(bp.subject, c)}</Tag>),
                    },
                    {
                      title: t.items.difficulty,
                      dataIndex: 'difficulty',
                      width: 100,
                      render: (d: number, r: Assembled['items'][number]) =>
                        r.difficultySource === 'calibrated' ? (
                          <span title={t.items.calibratedHint}>
                            {d} <Tag color="green">{t.items.calibrated}</Tag>
                          </span>
                        ) : (
                          d
                        ),
                    },
                    { title: t.assessment.points, dataIndex: 'score', width: 70 },
                  ]}
                />
              </div>
            )}
          </>
        )}
      </Card>

      <div className="zj-submit-bar">
        <span className="zj-total" data-testid="assign-total">
          {t.assessment.totalScore(total)}
        </span>
        <Space>
          <Button onClick={() => navigate('/assignments')}>{t.common.cancel}</Button>
          <Button type="primary" icon={<SendOutlined />} loading={saving} onClick={() => void assign()} data-testid="assign-submit">
            {t.assessment.assign}
          </Button>
        </Space>
      </div>
    </>
  );
}
