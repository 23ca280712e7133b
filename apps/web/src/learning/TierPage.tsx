/**
 * /mastery/tiers (teachers): tiered practice for a class — the students grouped by mastery of the
 * chosen points, each tier with questions of its own difficulty. The teacher previews, moves
 * students between tiers, removes questions, then assigns one assignment per tier (visible only
 * to that tier's students).
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Dropdown, Empty, Form, Input, InputNumber, Result, Row, Segmented, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { DeleteOutlined, EyeOutlined, ReloadOutlined, SendOutlined, SwapOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { ApiError, api, query, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { TYPE_COLORS, usePoints } from '../items/model';
import { RichText } from '../items/RichText';
import { ProblemAlert } from '../assessment/ProblemAlert';
import { asBody } from '../assessment/model';
import { classLabel } from '../identity/format';
import { pct, type ClassMastery, type TierAssign, type TierAssignResult, type TierPlan, type TierRequest } from './model';
import './learning.css';

type Tier = TierPlan['tiers'][number];
const TIER_COLORS = ['#52c41a', '#1677ff', '#fa8c16', '#722ed1'];

interface AssignForm {
  title: string;
  openAt: Dayjs;
  dueAt: Dayjs;
}

export function TierPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [params] = useSearchParams();
  const classId = params.get('classId') ?? '';
  const subject = params.get('subject') ?? 'math';
  const classes = useApi<ClassSummary[]>('/api/classes');
  const cls = classes.data?.find((c) => c.id === classId);
  const cm = useApi<ClassMastery>(classId ? `/api/learning/classes/${encodeURIComponent(classId)}/mastery${query({ subject })}` : null);
  const points = usePoints(subject);
  const [form] = Form.useForm<AssignForm>();

  const fromUrl = (params.get('kps') ?? '').split(',').filter(Boolean);
  const [kps, setKps] = useState<string[] | null>(fromUrl.length ? fromUrl : null);
  const chosenKps = kps ?? cm.data?.weakest.slice(0, 3) ?? [];
  const [tierCount, setTierCount] = useState(3);
  const [perTier, setPerTier] = useState(5);
  const request: TierRequest = { classId, subject, knowledgePoints: chosenKps, tiers: tierCount, itemsPerTier: perTier };
  const requestKey = JSON.stringify(request);

  const [preview, setPreview] = useState<{ key: string; tiers: Tier[] } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'assign' | null>(null);
  const [error, setError] = useState<{ e: ApiError; title: string } | null>(null);
  const [done, setDone] = useState<TierAssignResult | null>(null);

  const kpName = (code: string) => points.byCode.get(code)?.name ?? cm.data?.points.find((p) => p.code === code)?.name ?? code;

  // the title follows the chosen points until the teacher types one
  const defaultTitle = t.learning.titleDefault(chosenKps.map(kpName).join('、'));
  const [titleTouched, setTitleTouched] = useState(false);
  const hasPreview = preview !== null;
  useEffect(() => {
    if (hasPreview && !titleTouched) form.setFieldValue('title', defaultTitle.slice(0, 100));
  }, [defaultTitle, titleTouched, form, hasPreview]);

  const runPreview = async () => {
    if (chosenKps.length === 0) {
      message.warning(t.learning.tierKpsRequired);
      return;
    }
    setBusy('preview');
    setError(null);
    try {
      const plan = await api.post<TierPlan>('/api/learning/tiers', request);
      setPreview({ key: requestKey, tiers: plan.tiers });
    } catch (e) {
      setPreview(null);
      setError({ e: toApiError(e), title: t.learning.previewFailed });
    } finally {
      setBusy(null);
    }
  };

  const tiers = preview?.tiers ?? [];
  const stale = preview !== null && preview.key !== requestKey;
  const classSize = cm.data?.students.length ?? cls?.studentCount ?? 0;
  const placed = tiers.flatMap((x) => x.students.map((s) => s.id));
  const unique = new Set(placed).size;
  const blocked = tiers.some((x) => x.students.length > 0 && x.items.length === 0);

  const moveStudent = (studentId: string, to: number) =>
    setPreview((p) => {
      if (!p) return p;
      const student = p.tiers.flatMap((x) => x.students).find((s) => s.id === studentId);
      if (!student) return p;
      return {
        ...p,
        tiers: p.tiers.map((x, i) => ({
          ...x,
          students: i === to ? [...x.students.filter((s) => s.id !== studentId), student] : x.students.filter((s) => s.id !== studentId),
        })),
      };
    });
  const removeItem = (tierIndex: number, itemId: string) =>
    setPreview((p) => (p ? { ...p, tiers: p.tiers.map((x, i) => (i === tierIndex ? { ...x, items: x.items.filter((it) => it.itemId !== itemId) } : x)) } : p));

  const assign = async () => {
    let v: AssignForm;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    const body: TierAssign = {
      classId,
      title: v.title.trim(),
      openAt: v.openAt.toISOString(),
      dueAt: v.dueAt.toISOString(),
      tiers: tiers
        .filter((x) => x.students.length > 0)
        .map((x) => ({ label: (x.label[lang] ?? x.label['zh-CN']).slice(0, 40), studentIds: x.students.map((s) => s.id), itemIds: x.items.map((i) => i.itemId) })),
    };
    setBusy('assign');
    setError(null);
    try {
      const r = await api.post<TierAssignResult>('/api/learning/tiers/assign', body);
      setDone(r);
      message.success(t.learning.assignedTitle(r.assignments.length));
    } catch (e) {
      setError({ e: toApiError(e), title: t.learning.assignFailed });
    } finally {
      setBusy(null);
    }
  };

  const kpOptions = useMemo(() => {
    const grades = [...new Set(points.points.map((p) => p.grade))].sort((a, b) => (a === cls?.gradeLevel ? -1 : b === cls?.gradeLevel ? 1 : a - b));
    return grades.map((g) => ({
      label: t.curriculum.gradeName(g),
      title: t.curriculum.gradeName(g),
      options: points.points.filter((p) => p.grade === g).map((p) => ({ value: p.code, label: `${p.name}（${p.code}）` })),
    }));
  }, [points.points, cls, t]);

  const back = () => navigate(`/mastery${query({ classId, subject })}`);
  if (!classId) return <ApiErrorView error={new ApiError(404, null)} />;
  if (classes.error) return <ApiErrorView error={classes.error} />;
  if (cm.error) return <ApiErrorView error={cm.error} />;

  if (done)
    return (
      <>
        <PageHeader title={t.learning.tierTitle} onBack={back} />
        <Card>
          <Result
            status="success"
            title={<span data-testid="tier-assigned-title">{t.learning.assignedTitle(done.assignments.length)}</span>}
            subTitle={t.learning.assignedSubtitle}
            extra={[
              <Button key="back" onClick={back}>
                {t.learning.backToMastery}
              </Button>,
              <Button
                key="again"
                type="primary"
                onClick={() => {
                  setDone(null);
                  setPreview(null);
                  setTitleTouched(false);
                }}
              >
                {t.learning.again}
              </Button>,
            ]}
          >
            <ul className="zj-assigned-list" data-testid="tier-assigned">
              {done.assignments.map((a) => (
                <li key={a.id} data-testid="tier-assignment" data-id={a.id}>
                  <Space>
                    <Tag color="blue">{a.label}</Tag>
                    <span>{t.learning.tierStudents(a.students)}</span>
                    <Link to={`/assignments/${a.id}`} data-testid="tier-assignment-link">
                      {t.learning.viewAssignment}
                    </Link>
                  </Space>
                </li>
              ))}
            </ul>
          </Result>
        </Card>
      </>
    );

  return (
    <>
      <PageHeader title={t.learning.tierTitle} subtitle={cls ? t.learning.tierSubtitle(classLabel(cls)) : undefined} onBack={back} />
      {error && <ProblemAlert error={error.e} title={error.title} onClose={() => setError(null)} testId="tier-error" />}
      <Card style={{ marginBottom: 16 }}>
        <Row gutter={[24, 12]} align="bottom">
          <Col xs={24} lg={12}>
            <div className="zj-feedback-label" style={{ marginTop: 0 }}>
              {t.learning.tierKps} <Typography.Text type="secondary" style={{ fontSize: 12 }}>（{t.learning.tierKpsHint}）</Typography.Text>
            </div>
            <Select
              mode="multiple"
              style={{ width: '100%' }}
              value={chosenKps}
              options={kpOptions}
              loading={!points.data}
              maxCount={20}
              optionFilterProp="label"
              onChange={(v: string[]) => setKps(v)}
              data-testid="tier-kps"
              placeholder={t.learning.tierKpsRequired}
            />
          </Col>
          <Col>
            <div className="zj-feedback-label" style={{ marginTop: 0 }}>
              {t.learning.tierCount}
            </div>
            <Segmented options={[2, 3, 4]} value={tierCount} onChange={(v) => setTierCount(Number(v))} data-testid="tier-count" />
          </Col>
          <Col>
            <div className="zj-feedback-label" style={{ marginTop: 0 }}>
              {t.learning.itemsPerTier}
            </div>
            <InputNumber min={1} max={20} value={perTier} onChange={(v) => setPerTier(v ?? 5)} data-testid="tier-per" />
          </Col>
          <Col>
            <Button
              type="primary"
              icon={preview ? <ReloadOutlined /> : <EyeOutlined />}
              loading={busy === 'preview'}
              disabled={!cm.data && chosenKps.length === 0}
              onClick={() => void runPreview()}
              data-testid="tier-preview"
            >
              {preview ? t.learning.regenerate : t.learning.preview}
            </Button>
          </Col>
        </Row>
      </Card>

      {stale && <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t.learning.previewStale} />}
      {preview && (
        <>
          <Typography.Paragraph
            strong
            data-testid="tier-coverage"
            data-placed={placed.length}
            data-unique={unique}
            data-total={classSize}
            style={{ color: placed.length === classSize && unique === placed.length ? '#389e0d' : '#cf1322' }}
          >
            {t.learning.coverage(unique, classSize)}
          </Typography.Paragraph>
          <Row gutter={[16, 16]} style={{ marginBottom: 16 }} data-testid="tiers">
            {tiers.map((tier, ti) => (
              <Col key={tier.tier} xs={24} lg={tiers.length >= 3 ? 12 : 24 / tiers.length} xl={24 / tiers.length}>
                <TierCard
                  tier={tier}
                  index={ti}
                  tiers={tiers}
                  onMove={moveStudent}
                  onRemoveItem={(id) => removeItem(ti, id)}
                  kpName={kpName}
                />
              </Col>
            ))}
          </Row>
          <Card title={t.learning.assignCard} data-testid="tier-assign-card">
            <Typography.Paragraph type="secondary">{t.learning.assignHint}</Typography.Paragraph>
            <Form<AssignForm>
              form={form}
              layout="vertical"
              requiredMark={false}
              initialValues={{ title: defaultTitle.slice(0, 100), openAt: dayjs().second(0).millisecond(0), dueAt: dayjs().add(7, 'day').hour(22).minute(0).second(0).millisecond(0) }}
              onValuesChange={(changed: Partial<AssignForm>) => 'title' in changed && setTitleTouched(true)}
            >
              <Row gutter={16}>
                <Col xs={24} lg={10}>
                  <Form.Item name="title" label={t.learning.title} rules={[{ required: true, whitespace: true, message: t.learning.titleRequired }, { max: 100 }]}>
                    <Input maxLength={100} data-testid="tier-title" />
                  </Form.Item>
                </Col>
                <Col xs={12} lg={7}>
                  <Form.Item name="openAt" label={t.learning.openAtLabel} rules={[{ required: true }]}>
                    <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} data-testid="tier-open" />
                  </Form.Item>
                </Col>
                <Col xs={12} lg={7}>
                  <Form.Item
                    name="dueAt"
                    label={t.learning.dueAtLabel}
                    dependencies={['openAt']}
                    rules={[
                      { required: true },
                      ({ getFieldValue }) => ({
                        validator: (_, v: Dayjs | undefined) =>
                          !v || !getFieldValue('openAt') || v.isAfter(getFieldValue('openAt') as Dayjs) ? Promise.resolve() : Promise.reject(new Error(t.learning.dueAfterOpen)),
                      }),
                    ]}
                  >
                    <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} allowClear={false} data-testid="tier-due" />
                  </Form.Item>
                </Col>
              </Row>
            </Form>
            <Button
              type="primary"
              size="large"
              icon={<SendOutlined />}
              loading={busy === 'assign'}
              disabled={stale || blocked || placed.length === 0}
              onClick={() => void assign()}
              data-testid="tier-assign"
            >
              {t.learning.assign}
            </Button>
          </Card>
        </>
      )}
      {!preview && !busy && (
        <Card>
          <Empty description={t.learning.tierKpsHint} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        </Card>
      )}
    </>
  );
}

function TierCard(props: {
  tier: Tier;
  index: number;
  tiers: Tier[];
  onMove(studentId: string, to: number): void;
  onRemoveItem(itemId: string): void;
  kpName(code: string): string;
}) {
  const { t, lang } = useI18n();
  const { tier, index, tiers } = props;
  const color = TIER_COLORS[index % TIER_COLORS.length]!;
  // the server fills a tier from the nearest difficulties when its range has too few questions
  const outside = [...new Set(tier.items.map((i) => i.difficulty).filter((d) => d < tier.difficulty[0] || d > tier.difficulty[1]))].sort();
  return (
    <Card
      className="zj-tier-card"
      style={{ borderTop: `3px solid ${color}`, height: '100%' }}
      data-testid="tier"
      data-tier={tier.tier}
      data-students={tier.students.length}
      data-items={tier.items.length}
      title={
        <Space size={8} wrap>
          <span style={{ color }} data-testid="tier-label">
            {tier.label[lang] ?? tier.label['zh-CN']}
          </span>
          <Tag bordered={false}>{t.learning.tierDifficulty(tier.difficulty[0], tier.difficulty[1])}</Tag>
          {outside.length > 0 && (
            <Tag color="warning" bordered={false} data-testid="tier-outside">
              {t.learning.tierOutside(outside.join('、'))}
            </Tag>
          )}
        </Space>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t.learning.tierStudents(tier.students.length)} · {t.learning.tierItems(tier.items.length)}
        </Typography.Text>
      }
    >
      <div className="zj-tier-students" data-testid="tier-students">
        {tier.students.length === 0 && <Typography.Text type="secondary">{t.learning.tierNoStudents}</Typography.Text>}
        {tier.students.map((s) => (
          <Tag key={s.id} className="zj-tier-student" data-testid="tier-student" data-id={s.id}>
            <span>{s.name}</span>
            <Typography.Text type="secondary" style={{ fontSize: 11 }}>
              {s.meanPKnow === null ? t.learning.noMean : `${pct(s.meanPKnow)}%`}
            </Typography.Text>
            <Dropdown
              trigger={['click']}
              menu={{
                items: tiers.map((x, i) => ({ key: String(i), label: `${t.learning.moveTo} ${x.label[lang] ?? x.label['zh-CN']}`, disabled: i === index })),
                onClick: ({ key }) => props.onMove(s.id, Number(key)),
              }}
            >
              <Tooltip title={t.learning.moveStudent(s.name)}>
                <Button type="text" size="small" icon={<SwapOutlined />} aria-label={t.learning.moveStudent(s.name)} data-testid="tier-student-move" />
              </Tooltip>
            </Dropdown>
          </Tag>
        ))}
      </div>
      {tier.students.length > 0 && tier.items.length === 0 && <Alert type="error" showIcon style={{ marginTop: 12 }} message={t.learning.tierNoItems} />}
      <div style={{ marginTop: 12 }} data-testid="tier-items">
        {tier.items.map((it, i) => {
          const body = asBody(it.body);
          return (
            <div key={it.itemId} className="zj-tier-item" data-testid="tier-item" data-item-id={it.itemId}>
              <Typography.Text strong style={{ lineHeight: '28px' }}>
                {i + 1}.
              </Typography.Text>
              <div className="zj-tier-item-body">
                <Space size={4} wrap style={{ marginBottom: 2 }}>
                  <Tag color={TYPE_COLORS[it.type as keyof typeof TYPE_COLORS]} bordered={false}>
                    {t.items.types[it.type] ?? it.type}
                  </Tag>
                  <Tag bordered={false}>{t.items.difficultyN(it.difficulty)}</Tag>
                  {it.knowledgePoints.slice(0, 2).map((k) => (
                    <Tag key={k} bordered={false} color="blue">
                      {props.kpName(k)}
                    </Tag>
                  ))}
                </Space>
                <RichText text={body.stem} clamp={3} />
              </div>
              <Tooltip title={t.learning.removeItem}>
                <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={() => props.onRemoveItem(it.itemId)} aria-label={t.learning.removeItem} data-testid="tier-item-remove" />
              </Tooltip>
            </div>
          );
        })}
        {tier.items.length === 0 && tier.students.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />}
      </div>
    </Card>
  );
}
