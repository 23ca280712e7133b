/**
 * /hub/products/:id: one registered AI product — the registration facts, its approvals (scope,
 * grade bands, state, expiry; revocable with a reason), the review history against the four-item
 * checklist, and for region administrators the review form (approve with a scope, request
 * changes, or reject).
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Col, DatePicker, Descriptions, Empty, Form, Input, Modal, Radio, Row, Skeleton, Space, Switch, Table, Tag, Typography } from 'antd';
import { CheckCircleFilled, CloseCircleFilled, SendOutlined, StopOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import dayjs, { type Dayjs } from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { ApprovalStateTag, BandTags, ProductStatusTag, ScopeMultiSelect, formatDate, rowProps, useHubCan, useScopes } from './common';
import { KindTag } from './ProductsPage';
import {
  CHECKLIST,
  GRADE_BANDS,
  splitScopeValues,
  type Approval,
  type ApprovalState,
  type ChecklistKey,
  type Decision,
  type GradeBand,
  type ProductDetail,
  type Review,
  type ReviewInput,
} from './model';

const DECISION_COLOR: Record<Decision, string> = { approve: 'success', changes_requested: 'warning', reject: 'error' };

export function ProductDetailPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const product = useApi<ProductDetail>(`/api/hub/products/${encodeURIComponent(id)}`);
  const isReviewer = useHubCan().review;
  const [revoking, setRevoking] = useState<Approval | null>(null);

  if (product.error) return <ApiErrorView error={product.error} />;
  const p = product.data;
  const back = () => navigate('/hub/products');
  if (!p)
    return (
      <>
        <PageHeader title={t.hub.products.title} onBack={back} />
        <Card>
          <Skeleton active paragraph={{ rows: 8 }} />
        </Card>
      </>
    );

  const reviews = [...p.reviews].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const approvals = [...p.approvals].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));

  return (
    <>
      <PageHeader
        title={
          <Space size={12} wrap>
            <span data-testid="hub-product-title">{p.name}</span>
            <ProductStatusTag status={p.status} />
          </Space>
        }
        subtitle={
          <Space size={8} wrap>
            <KindTag kind={p.kind} />
            <span>{p.vendor}</span>
            {p.modelName && <Typography.Text code>{p.modelName}</Typography.Text>}
          </Space>
        }
        onBack={back}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={isReviewer ? 15 : 24}>
          <Space direction="vertical" size={16} style={{ width: '100%' }}>
            <Card title={t.hub.product.facts} size="small">
              <Descriptions column={1} size="small" bordered styles={{ label: { width: 150, whiteSpace: 'nowrap' } }}>
                <Descriptions.Item label={t.hub.products.kind}>{t.hub.kinds[p.kind]}</Descriptions.Item>
                <Descriptions.Item label={t.hub.vendor}>{p.vendor}</Descriptions.Item>
                {p.kind === 'model' && (
                  <Descriptions.Item label={t.hub.products.registryModel}>
                    <Typography.Text code>{p.modelName ?? p.modelId}</Typography.Text>
                  </Descriptions.Item>
                )}
                <Descriptions.Item label={t.hub.product.purpose}>
                  <div className="zj-hub-pre">{p.purpose}</div>
                </Descriptions.Item>
                <Descriptions.Item label={t.hub.product.dataTouched}>
                  {p.dataTouched.length ? (
                    <span className="zj-hub-tags">
                      {p.dataTouched.map((d) => (
                        <Tag key={d} color="orange" bordered={false}>
                          {d}
                        </Tag>
                      ))}
                    </span>
                  ) : (
                    t.hub.none
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t.hub.gradeBands}>
                  <BandTags bands={p.gradeBands} />
                </Descriptions.Item>
                <Descriptions.Item label={t.hub.product.evidence}>
                  {p.evidence ? <div className="zj-hub-pre">{p.evidence}</div> : <Typography.Text type="secondary">{t.hub.product.noEvidence}</Typography.Text>}
                </Descriptions.Item>
                <Descriptions.Item label={t.hub.products.registeredBy}>{p.registeredBy}</Descriptions.Item>
                <Descriptions.Item label={t.hub.products.registeredAt}>{formatTime(p.createdAt, lang)}</Descriptions.Item>
              </Descriptions>
            </Card>

            <Card title={t.hub.product.approvals} size="small" data-testid="hub-approvals">
              <Table<Approval>
                rowKey="id"
                size="small"
                pagination={false}
                dataSource={approvals}
                locale={{ emptyText: t.hub.product.approvalsEmpty }}
                scroll={{ x: 640 }}
                onRow={(a) => rowProps({ 'data-testid': 'hub-approval', 'data-id': a.id, 'data-state': a.state })}
                columns={[
                  {
                    title: t.hub.product.scope,
                    dataIndex: 'scopeNames',
                    render: (names: string[]) => (
                      <span className="zj-hub-tags">
                        {names.map((n) => (
                          <Tag key={n}>{n}</Tag>
                        ))}
                      </span>
                    ),
                  },
                  { title: t.hub.gradeBands, dataIndex: 'gradeBands', render: (b: string[]) => <BandTags bands={b} /> },
                  {
                    title: t.hub.status,
                    dataIndex: 'state',
                    width: 150,
                    render: (s: ApprovalState, a) => (
                      <Space direction="vertical" size={0}>
                        <ApprovalStateTag state={s} />
                        {a.revokedAt && (
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {formatTime(a.revokedAt, lang)}
                            {a.revokeReason ? ` · ${a.revokeReason}` : ''}
                          </Typography.Text>
                        )}
                      </Space>
                    ),
                  },
                  { title: t.hub.product.approvedAt, dataIndex: 'createdAt', width: 105, render: (v: string) => formatDate(v) },
                  { title: t.hub.expiresAt, dataIndex: 'expiresAt', width: 105, render: (v: string | null) => (v ? formatDate(v) : t.hub.never) },
                  ...(isReviewer
                    ? [
                        {
                          title: t.common.actions,
                          key: 'actions',
                          width: 80,
                          render: (_: unknown, a: Approval) =>
                            a.state === 'revoked' ? null : (
                              <Button type="link" danger size="small" icon={<StopOutlined />} onClick={() => setRevoking(a)} data-testid="hub-approval-revoke">
                                {t.hub.product.revoke}
                              </Button>
                            ),
                        },
                      ]
                    : []),
                ]}
              />
            </Card>

            <Card title={t.hub.product.reviews} size="small" data-testid="hub-reviews">
              {reviews.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.hub.product.reviewsEmpty} />
              ) : (
                <Space direction="vertical" size={12} style={{ width: '100%' }}>
                  {reviews.map((r) => (
                    <ReviewCard key={r.id} review={r} />
                  ))}
                </Space>
              )}
            </Card>
          </Space>
        </Col>
        {isReviewer && (
          <Col xs={24} xl={9}>
            <ReviewFormCard product={p} onDone={product.reload} />
          </Col>
        )}
      </Row>
      <RevokeModal
        approval={revoking}
        onClose={() => setRevoking(null)}
        onDone={() => {
          setRevoking(null);
          product.reload();
        }}
      />
    </>
  );
}

function ReviewCard({ review: r }: { review: Review }) {
  const { t, lang } = useI18n();
  const keys = [...CHECKLIST, ...Object.keys(r.checklist).filter((k) => !(CHECKLIST as readonly string[]).includes(k))];
  return (
    <Card size="small" type="inner" data-testid="hub-review" data-decision={r.decision}
      title={
        <Space size={8} wrap>
          <Tag color={DECISION_COLOR[r.decision]}>{t.hub.decisions[r.decision]}</Tag>
          <span>{r.reviewer}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
            {formatTime(r.createdAt, lang)}
          </Typography.Text>
        </Space>
      }
    >
      {keys.map((k) => {
        const c = r.checklist[k];
        if (!c) return null;
        return (
          <div key={k} className="zj-hub-check" data-testid="hub-review-check" data-key={k} data-pass={c.pass}>
            {c.pass ? <CheckCircleFilled style={{ color: '#52c41a', marginTop: 4 }} aria-label={t.hub.pass} /> : <CloseCircleFilled style={{ color: '#ff4d4f', marginTop: 4 }} aria-label={t.hub.fail} />}
            <div>
              <Typography.Text strong>{t.hub.checklist[k as ChecklistKey] ?? k}</Typography.Text>
              <Typography.Text type={c.pass ? 'success' : 'danger'} style={{ marginLeft: 8, fontSize: 12 }}>
                {c.pass ? t.hub.pass : t.hub.fail}
              </Typography.Text>
              {c.note && <div className="zj-hub-pre" style={{ color: '#595959' }}>{c.note}</div>}
            </div>
          </div>
        );
      })}
      {r.comment && (
        <Typography.Paragraph style={{ marginTop: 8, marginBottom: 0 }}>
          <Typography.Text type="secondary">{t.hub.product.comment}：</Typography.Text>
          <span className="zj-hub-pre">{r.comment}</span>
        </Typography.Paragraph>
      )}
    </Card>
  );
}

interface ReviewForm {
  decision?: Decision;
  checklist: Record<ChecklistKey, { pass: boolean; note?: string }>;
  comment?: string;
  scope?: string[];
  gradeBands?: GradeBand[];
  expiresAt?: Dayjs | null;
}

function ReviewFormCard({ product, onDone }: { product: ProductDetail; onDone(): void }) {
  const { t } = useI18n();
  const { message, modal } = App.useApp();
  const [form] = Form.useForm<ReviewForm>();
  const decision = Form.useWatch('decision', form);
  const checklist = Form.useWatch('checklist', form);
  const scopes = useScopes();
  const [busy, setBusy] = useState(false);
  const productBands = product.gradeBands.filter((b): b is GradeBand => (GRADE_BANDS as readonly string[]).includes(b));
  const failed = CHECKLIST.filter((k) => !checklist?.[k]?.pass).length;

  const send = async (v: ReviewForm) => {
    const body: ReviewInput = {
      decision: v.decision!,
      checklist: Object.fromEntries(CHECKLIST.map((k) => [k, { pass: !!v.checklist[k]?.pass, note: v.checklist[k]?.note?.trim() ?? '' }])) as ReviewInput['checklist'],
      comment: v.comment?.trim() ?? '',
    };
    if (v.decision === 'approve') {
      body.scope = {
        ...splitScopeValues(v.scope ?? []),
        gradeBands: v.gradeBands ?? [],
        expiresAt: v.expiresAt ? v.expiresAt.endOf('day').toISOString() : null,
      };
    }
    setBusy(true);
    try {
      await api.post<ProductDetail>(`/api/hub/products/${encodeURIComponent(product.id)}/reviews`, body);
      message.success(t.hub.product.submitted);
      form.resetFields();
      onDone();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const submit = (v: ReviewForm) => {
    if (v.decision === 'approve' && failed > 0) {
      modal.confirm({ title: t.hub.product.failedWarning(failed), okText: t.hub.decisions.approve, cancelText: t.common.cancel, onOk: () => send(v) });
      return;
    }
    void send(v);
  };

  return (
    <Card title={t.hub.product.reviewTitle} data-testid="hub-review-form">
      <Typography.Paragraph type="secondary">{t.hub.product.reviewIntro}</Typography.Paragraph>
      <Form<ReviewForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          checklist: Object.fromEntries(CHECKLIST.map((k) => [k, { pass: false, note: '' }])),
          gradeBands: productBands,
          scope: [],
          expiresAt: null,
        }}
      >
        {CHECKLIST.map((k) => {
          const pass = !!checklist?.[k]?.pass;
          return (
            <div key={k} className="zj-hub-check-item" data-pass={pass}>
              <div className="zj-hub-check-head">
                <Typography.Text strong>{t.hub.checklist[k]}</Typography.Text>
                <Form.Item name={['checklist', k, 'pass']} valuePropName="checked" noStyle>
                  <Switch checkedChildren={t.hub.pass} unCheckedChildren={t.hub.fail} data-testid={`hub-review-check-${k}`} />
                </Form.Item>
              </div>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 6px' }}>
                {t.hub.checklistHints[k]}
              </Typography.Paragraph>
              <Form.Item name={['checklist', k, 'note']} noStyle rules={[{ max: 2000 }]}>
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} placeholder={t.hub.product.notePlaceholder} data-testid={`hub-review-note-${k}`} />
              </Form.Item>
            </div>
          );
        })}
        <Form.Item name="comment" label={t.hub.product.comment} rules={[{ max: 4000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} placeholder={t.hub.product.commentPlaceholder} data-testid="hub-review-comment" />
        </Form.Item>
        <Form.Item name="decision" label={t.hub.product.decision} rules={[{ required: true, message: t.hub.product.decision }]}>
          <Radio.Group data-testid="hub-review-decision">
            {(['approve', 'changes_requested', 'reject'] as const).map((d) => (
              <Radio key={d} value={d}>
                <span data-testid={`hub-review-decision-${d}`}>{t.hub.decisions[d]}</span>
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        {decision === 'approve' && (
          <>
            {failed > 0 && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t.hub.product.failedWarning(failed)} />}
            <Form.Item
              name="scope"
              label={t.hub.product.scopeLabel}
              extra={t.hub.scopeHint}
              rules={[{ required: true, type: 'array', min: 1, message: t.hub.product.scopeRequired }]}
              validateStatus={scopes.error ? 'error' : undefined}
              help={scopes.error ? errorText(scopes.error, t) : undefined}
            >
              <ScopeMultiSelect scopes={scopes.data} loading={scopes.loading} testId="hub-review-scope" />
            </Form.Item>
            <Form.Item name="gradeBands" label={t.hub.product.bandsLabel} rules={[{ required: true, type: 'array', min: 1, message: t.hub.products.bandsRequired }]}>
              <Checkbox.Group options={GRADE_BANDS.map((b) => ({ value: b, label: t.hub.bands[b] }))} data-testid="hub-review-bands" />
            </Form.Item>
            <Form.Item name="expiresAt" label={t.hub.product.expiryLabel} extra={t.hub.product.expiryHint}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isBefore(dayjs().startOf('day'))} data-testid="hub-review-expiry" />
            </Form.Item>
          </>
        )}
        <Button type="primary" htmlType="submit" icon={<SendOutlined />} loading={busy} block data-testid="hub-review-submit">
          {t.hub.product.submit}
        </Button>
      </Form>
    </Card>
  );
}

function RevokeModal(props: { approval: Approval | null; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { reason: string }) => {
    if (!props.approval) return;
    setBusy(true);
    try {
      await api.post<ProductDetail>(`/api/hub/approvals/${encodeURIComponent(props.approval.id)}/revoke`, { reason: v.reason.trim() });
      message.success(t.hub.product.revoked);
      form.resetFields();
      props.onDone();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={t.hub.product.revokeTitle}
      open={props.approval !== null}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t.hub.product.revoke}
      okButtonProps={{ danger: true, 'data-testid': 'hub-revoke-confirm' }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Alert type="warning" showIcon message={t.hub.product.revokeIntro} style={{ marginBottom: 12 }} />
      {props.approval && (
        <Typography.Paragraph>
          <span className="zj-hub-tags">
            {props.approval.scopeNames.map((n) => (
              <Tag key={n}>{n}</Tag>
            ))}
          </span>
        </Typography.Paragraph>
      )}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="reason" label={t.hub.product.reasonLabel} rules={[{ required: true, whitespace: true, message: t.hub.product.reasonRequired }, { max: 1000 }]}>
          <Input.TextArea rows={3} maxLength={1000} data-testid="hub-revoke-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
