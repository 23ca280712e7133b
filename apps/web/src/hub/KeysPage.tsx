/**
 * /hub/keys (接口密钥): gateway keys (Authorization: Bearer zg_…) issued to schools, regions and
 * platform modules — owner, bound app, grade band, allowed models, expiry, status; create (the key
 * is shown once, with a ready-to-run curl line), revoke, and how to call the gateway.
 */
import { useEffect, useMemo, useState } from 'react';
import { Alert, App, Button, Card, DatePicker, Form, Input, Modal, Popconfirm, Radio, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { BandTags, ScopeSingleSelect, formatDate, rowProps, useHubCan, useScopes } from './common';
import { GRADE_BANDS, type GradeBand, type KeyCreated, type KeyInfo, type KeyInput, type KeyOwnerType, type Model, type Product } from './model';

const MODULE_RE = /^[a-z][a-z0-9_-]{1,31}$/;

type KeyState = 'active' | 'expired' | 'revoked';
const keyState = (k: KeyInfo): KeyState => (k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? 'expired' : 'active');
const STATE_COLOR: Record<KeyState, string> = { active: 'success', expired: 'warning', revoked: 'default' };

/** The curl line for a key and a model (the origin is this page's: the gateway is served beside the app). */
export function curlExample(key: string, model: string): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return [
    `curl ${origin}/v1/chat/completions \\`,
    `  -H "Authorization: Bearer ${key}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model": "${model}", "messages": [{"role": "user", "content": "你好"}]}'`,
  ].join('\n');
}

function CodeBlock({ text, testId }: { text: string; testId?: string }) {
  const { t } = useI18n();
  return (
    <div style={{ position: 'relative' }}>
      <pre className="zj-hub-code" data-testid={testId}>
        {text}
      </pre>
      <Typography.Text copyable={{ text, tooltips: [t.hub.keys.copy, t.common.copied] }} style={{ position: 'absolute', top: 6, right: 10, color: '#e5e7eb' }} />
    </div>
  );
}

export function KeysPage() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const keys = useApi<KeyInfo[]>('/api/hub/keys');
  const models = useApi<Model[]>('/api/hub/models');
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<KeyCreated | null>(null);

  if (keys.error?.status === 403) return <ApiErrorView error={keys.error} />;
  const list = (keys.data ?? []).filter((k) => showRevoked || keyState(k) !== 'revoked');
  const exampleModel = models.data?.find((m) => m.kind === 'chat' && m.approved)?.name ?? models.data?.find((m) => m.kind === 'chat')?.name ?? 'model-name';

  const revoke = async (k: KeyInfo) => {
    try {
      await api.post<KeyInfo>(`/api/hub/keys/${encodeURIComponent(k.id)}/revoke`);
      message.success(t.hub.keys.revokedOk);
      keys.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };

  return (
    <>
      <PageHeader
        title={t.hub.keys.title}
        subtitle={t.hub.keys.subtitle}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="hub-key-create">
            {t.hub.keys.create}
          </Button>
        }
      />
      <Card
        style={{ marginBottom: 16 }}
        title={keys.data ? t.common.total(list.length) : undefined}
        extra={
          <Space>
            <Switch size="small" checked={showRevoked} onChange={setShowRevoked} data-testid="hub-keys-show-revoked" />
            <Typography.Text type="secondary">{t.hub.keys.showRevoked}</Typography.Text>
          </Space>
        }
      >
        {keys.error && <Alert type="error" showIcon message={errorText(keys.error, t)} style={{ marginBottom: 16 }} />}
        <Table<KeyInfo>
          rowKey="id"
          size="middle"
          data-testid="hub-keys"
          loading={keys.loading}
          dataSource={list}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 1200 }}
          locale={{ emptyText: t.hub.keys.empty }}
          onRow={(k) => rowProps({ 'data-testid': 'hub-key-row', 'data-id': k.id, 'data-name': k.name, 'data-state': keyState(k) })}
          columns={[
            { title: t.hub.name, dataIndex: 'name', render: (n: string) => <Typography.Text strong>{n}</Typography.Text> },
            {
              title: t.hub.keys.owner,
              key: 'owner',
              render: (_, k) => (
                <Space size={4}>
                  <Tag bordered={false}>{t.hub.keys.ownerTypes[k.ownerType]}</Tag>
                  {k.ownerType === 'module' ? <Typography.Text code style={{ whiteSpace: 'nowrap' }}>{k.module ?? k.ownerName}</Typography.Text> : k.ownerName}
                </Space>
              ),
            },
            { title: t.hub.keys.app, dataIndex: 'productName', render: (p: string | null) => p ?? <Typography.Text type="secondary">{t.hub.keys.ownUse}</Typography.Text> },
            { title: t.hub.gradeBand, dataIndex: 'gradeBand', width: 90, render: (b: string) => <BandTags bands={[b]} /> },
            {
              title: t.hub.keys.allowedModels,
              dataIndex: 'models',
              render: (ms: string[] | null) =>
                ms === null ? (
                  <Typography.Text type="secondary">{t.hub.keys.allModels}</Typography.Text>
                ) : (
                  <span className="zj-hub-tags">
                    {ms.map((m) => (
                      <Tag key={m}>{m}</Tag>
                    ))}
                  </span>
                ),
            },
            { title: t.hub.keys.prefix, dataIndex: 'prefix', width: 140, render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
            { title: t.hub.createdAt, dataIndex: 'createdAt', width: 160, render: (v: string) => formatTime(v, lang) },
            { title: t.hub.expiresAt, dataIndex: 'expiresAt', width: 110, render: (v: string | null) => (v ? formatDate(v) : t.hub.never) },
            {
              title: t.hub.status,
              key: 'state',
              width: 90,
              render: (_, k) => {
                const s = keyState(k);
                return (
                  <Tag color={STATE_COLOR[s]} data-testid="hub-key-state" data-state={s}>
                    {t.hub.keys[s]}
                  </Tag>
                );
              },
            },
            {
              title: t.common.actions,
              key: 'actions',
              width: 80,
              render: (_, k) =>
                k.revokedAt ? null : (
                  <Popconfirm title={t.hub.keys.revokeConfirm} okText={t.hub.keys.revoke} okButtonProps={{ danger: true }} cancelText={t.common.cancel} onConfirm={() => revoke(k)}>
                    <Button type="link" danger size="small" data-testid="hub-key-revoke">
                      {t.hub.keys.revoke}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
      <Card
        title={
          <>
            <KeyOutlined /> {t.hub.keys.howTitle}
          </>
        }
        data-testid="hub-keys-how"
      >
        <Typography.Paragraph type="secondary">{t.hub.keys.howIntro}</Typography.Paragraph>
        <CodeBlock text={curlExample('zg_...', exampleModel)} />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          {t.hub.keys.howNote}
        </Typography.Paragraph>
      </Card>
      <CreateKeyModal
        open={creating}
        models={models.data}
        onClose={() => setCreating(false)}
        onCreated={(k) => {
          setCreating(false);
          setCreated(k);
          keys.reload();
        }}
      />
      <Modal
        title={t.hub.keys.createdTitle}
        open={created !== null}
        closable={false}
        maskClosable={false}
        width={680}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="hub-created-key-done">
            {t.hub.keys.done}
          </Button>
        }
      >
        <Alert type="warning" showIcon message={t.hub.keys.createdWarning} style={{ marginBottom: 16 }} />
        {created && (
          <>
            <Typography.Paragraph className="zj-secret" copyable={{ text: created.key, tooltips: [t.hub.keys.copy, t.common.copied] }}>
              <span data-testid="hub-created-key">{created.key}</span>
            </Typography.Paragraph>
            <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
              {t.hub.keys.howIntro}
            </Typography.Paragraph>
            <CodeBlock text={curlExample(created.key, created.models?.[0] ?? exampleModel)} testId="hub-created-key-curl" />
          </>
        )}
      </Modal>
    </>
  );
}

interface KeyForm {
  name: string;
  ownerType: KeyOwnerType;
  ownerId?: string | null;
  module?: string;
  productId?: string | null;
  gradeBand: GradeBand;
  models?: string[];
  expiresAt?: Dayjs | null;
}

function CreateKeyModal(props: { open: boolean; models: Model[] | undefined; onClose(): void; onCreated(k: KeyCreated): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const can = useHubCan();
  const [form] = Form.useForm<KeyForm>();
  const ownerType = Form.useWatch('ownerType', form);
  const scopes = useScopes();
  const products = useApi<Product[]>(props.open ? '/api/hub/products?status=approved' : null);
  const apps = useMemo(() => (products.data ?? []).filter((p) => p.kind !== 'model'), [products.data]);
  const [busy, setBusy] = useState(false);
  // a school administrator has one school: preselect it
  const onlySchool = scopes.data && scopes.data.schools.length === 1 ? scopes.data.schools[0]!.id : undefined;
  useEffect(() => {
    if (props.open && onlySchool && form.getFieldValue('ownerType') === 'school' && !form.getFieldValue('ownerId')) form.setFieldValue('ownerId', onlySchool);
  }, [props.open, onlySchool, form]);

  const submit = async (v: KeyForm) => {
    const body: KeyInput = {
      name: v.name.trim(),
      ownerType: v.ownerType,
      ownerId: v.ownerType === 'module' ? null : (v.ownerId ?? null),
      module: v.ownerType === 'module' ? (v.module ?? '').trim() : null,
      productId: v.productId ?? null,
      gradeBand: v.gradeBand,
      models: v.models && v.models.length ? v.models : null,
      expiresAt: v.expiresAt ? v.expiresAt.endOf('day').toISOString() : null,
    };
    setBusy(true);
    try {
      const k = await api.post<KeyCreated>('/api/hub/keys', body);
      form.resetFields();
      props.onCreated(k);
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const ownerTypes: KeyOwnerType[] = ['school', ...(can.regionKeys ? (['region'] as const) : []), ...(can.moduleKeys ? (['module'] as const) : [])];

  return (
    <Modal
      title={t.hub.keys.create}
      open={props.open}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t.hub.keys.create}
      okButtonProps={{ 'data-testid': 'hub-key-submit' }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      destroyOnHidden
      width={620}
    >
      <Form<KeyForm> form={form} layout="vertical" onFinish={submit} initialValues={{ ownerType: 'school', ownerId: onlySchool ?? null, productId: null, models: [], expiresAt: null }}>
        <Form.Item name="name" label={t.hub.keys.nameLabel} rules={[{ required: true, whitespace: true, message: t.hub.keys.nameRequired }, { max: 120 }]}>
          <Input maxLength={120} placeholder={t.hub.keys.namePlaceholder} data-testid="hub-key-name" />
        </Form.Item>
        <Form.Item name="ownerType" label={t.hub.keys.ownerType} rules={[{ required: true }]}>
          <Radio.Group
            optionType="button"
            options={ownerTypes.map((o) => ({ value: o, label: t.hub.keys.ownerTypes[o] }))}
            onChange={() => form.setFieldsValue({ ownerId: null, module: undefined })}
            data-testid="hub-key-owner-type"
          />
        </Form.Item>
        {ownerType === 'module' ? (
          <Form.Item name="module" label={t.hub.keys.module} extra={t.hub.keys.moduleHint} rules={[{ required: true, pattern: MODULE_RE, message: t.hub.keys.moduleRequired }]}>
            <Input maxLength={32} placeholder="companion" data-testid="hub-key-module" />
          </Form.Item>
        ) : (
          <Form.Item
            name="ownerId"
            label={ownerType === 'region' ? t.hub.region : t.hub.school}
            rules={[{ required: true, message: t.hub.keys.ownerRequired }]}
            validateStatus={scopes.error ? 'error' : undefined}
            help={scopes.error ? errorText(scopes.error, t) : undefined}
          >
            <ScopeSingleSelect kind={ownerType === 'region' ? 'region' : 'school'} scopes={scopes.data} loading={scopes.loading} testId="hub-key-owner" />
          </Form.Item>
        )}
        <Form.Item name="productId" label={t.hub.keys.product} extra={t.hub.keys.productHint}>
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            loading={products.loading}
            placeholder={t.hub.keys.productPlaceholder}
            options={apps.map((p) => ({ value: p.id, label: `${p.name}（${t.hub.kinds[p.kind]} · ${p.vendor}）` }))}
            onChange={(id: string | undefined) => {
              // a bound app's grade band must be one it was approved for: preselect when it has one
              const p = apps.find((x) => x.id === id);
              if (p && p.gradeBands.length === 1 && !form.getFieldValue('gradeBand')) form.setFieldValue('gradeBand', p.gradeBands[0]);
            }}
            data-testid="hub-key-product"
          />
        </Form.Item>
        <Form.Item name="gradeBand" label={t.hub.keys.bandLabel} extra={t.hub.keys.bandHint} rules={[{ required: true, message: t.hub.keys.bandRequired }]}>
          <Radio.Group options={GRADE_BANDS.map((b) => ({ value: b, label: t.hub.bands[b] }))} data-testid="hub-key-band" />
        </Form.Item>
        <Form.Item name="models" label={t.hub.keys.modelsLabel}>
          <Select
            mode="multiple"
            allowClear
            placeholder={t.hub.keys.modelsPlaceholder}
            optionFilterProp="label"
            options={(props.models ?? []).map((m) => ({ value: m.name, label: m.approved ? m.name : `${m.name}（${t.hub.keys.notApproved}）` }))}
            data-testid="hub-key-models"
          />
        </Form.Item>
        <Form.Item name="expiresAt" label={t.hub.keys.expiryLabel} extra={t.hub.keys.expiryHint}>
          <DatePicker style={{ width: 220 }} disabledDate={(d) => d.isBefore(dayjs().startOf('day'))} data-testid="hub-key-expiry" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
