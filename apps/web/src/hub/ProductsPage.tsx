/**
 * /hub/products (备案与准入审查): the AI products registered for use in schools — models, agents
 * and apps — with their review status and active approvals, and the registration (备案) form.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Drawer, Form, Input, Radio, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { api, query, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { BandTags, ProductStatusTag, rowProps } from './common';
import { GRADE_BANDS, PRODUCT_STATUSES, type GradeBand, type Model, type Product, type ProductInput, type ProductKind, type ProductStatus } from './model';

const KIND_COLOR: Record<ProductKind, string> = { model: 'purple', agent: 'cyan', app: 'blue' };

export function KindTag({ kind }: { kind: ProductKind }) {
  const { t } = useI18n();
  return (
    <Tag color={KIND_COLOR[kind]} bordered={false}>
      {t.hub.kinds[kind]}
    </Tag>
  );
}

export function ProductsPage() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? '') as ProductStatus | '';
  const list = useApi<Product[]>(`/api/hub/products${query({ status })}`);
  const [registering, setRegistering] = useState(false);

  if (list.error?.status === 403) return <ApiErrorView error={list.error} />;

  return (
    <>
      <PageHeader
        title={t.hub.products.title}
        subtitle={t.hub.products.subtitle}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setRegistering(true)} data-testid="hub-product-register">
            {t.hub.products.register}
          </Button>
        }
      />
      <Card>
        <div className="zj-hub-filter" style={{ marginBottom: 16 }}>
          <Space>
            <Typography.Text type="secondary">{t.hub.products.statusFilter}</Typography.Text>
            <Segmented
              value={status}
              data-testid="hub-product-status-filter"
              options={[{ value: '', label: t.common.all }, ...PRODUCT_STATUSES.map((s) => ({ value: s, label: t.hub.productStatus[s] }))]}
              onChange={(v) =>
                setParams((p) => {
                  const n = new URLSearchParams(p);
                  if (v) n.set('status', String(v));
                  else n.delete('status');
                  return n;
                })
              }
            />
          </Space>
          {list.data && <Typography.Text type="secondary">{t.common.total(list.data.length)}</Typography.Text>}
        </div>
        {list.error && <Alert type="error" showIcon message={errorText(list.error, t)} style={{ marginBottom: 16 }} />}
        <Table<Product>
          rowKey="id"
          size="middle"
          data-testid="hub-products"
          loading={list.loading}
          dataSource={list.data ?? []}
          locale={{ emptyText: t.hub.products.empty }}
          pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: 1000 }}
          rowClassName="zj-clickable-row"
          onRow={(p) => rowProps({ 'data-testid': 'hub-product-row', 'data-id': p.id, 'data-name': p.name, 'data-status': p.status }, () => navigate(`/hub/products/${p.id}`))}
          columns={[
            {
              title: t.hub.name,
              dataIndex: 'name',
              render: (name: string, p) => (
                <Link to={`/hub/products/${p.id}`} onClick={(e) => e.stopPropagation()}>
                  {name}
                </Link>
              ),
            },
            { title: t.hub.products.kind, dataIndex: 'kind', width: 90, render: (k: ProductKind) => <KindTag kind={k} /> },
            { title: t.hub.vendor, dataIndex: 'vendor', ellipsis: true },
            { title: t.hub.products.registryModel, dataIndex: 'modelName', render: (m: string | null) => (m ? <Typography.Text code style={{ whiteSpace: 'nowrap' }}>{m}</Typography.Text> : t.hub.none) },
            { title: t.hub.gradeBands, dataIndex: 'gradeBands', render: (b: string[]) => <BandTags bands={b} /> },
            { title: t.hub.status, dataIndex: 'status', width: 110, render: (s: ProductStatus) => <ProductStatusTag status={s} /> },
            {
              title: t.hub.products.activeApprovals,
              dataIndex: 'activeApprovals',
              width: 100,
              align: 'right',
              render: (n: number) => (n > 0 ? <Tag color="success">{n}</Tag> : <Typography.Text type="secondary">0</Typography.Text>),
            },
            { title: t.hub.products.registeredBy, dataIndex: 'registeredBy', width: 110 },
            { title: t.hub.updatedAt, dataIndex: 'updatedAt', width: 170, render: (v: string) => formatTime(v, lang) },
          ]}
        />
      </Card>
      <RegisterDrawer
        open={registering}
        onClose={() => setRegistering(false)}
        onCreated={(p) => {
          setRegistering(false);
          navigate(`/hub/products/${p.id}`);
        }}
      />
    </>
  );
}

interface RegisterForm {
  name: string;
  kind: ProductKind;
  modelId?: string;
  vendor: string;
  purpose: string;
  dataTouched?: string[];
  gradeBands: GradeBand[];
  evidence?: string;
}

/** 登记备案: ProductInput; a model product names its registry model, others do not. */
function RegisterDrawer(props: { open: boolean; onClose(): void; onCreated(p: Product): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<RegisterForm>();
  const kind = Form.useWatch('kind', form);
  const models = useApi<Model[]>(props.open ? '/api/hub/models' : null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: RegisterForm) => {
    const body: ProductInput = {
      name: v.name.trim(),
      kind: v.kind,
      modelId: v.kind === 'model' ? (v.modelId ?? null) : null,
      vendor: v.vendor.trim(),
      purpose: v.purpose.trim(),
      dataTouched: (v.dataTouched ?? []).map((d) => d.trim()).filter(Boolean),
      gradeBands: v.gradeBands,
      evidence: v.evidence?.trim() ?? '',
    };
    setBusy(true);
    try {
      const p = await api.post<Product>('/api/hub/products', body);
      message.success(t.hub.products.created);
      form.resetFields();
      props.onCreated(p);
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      title={t.hub.products.drawerTitle}
      open={props.open}
      onClose={props.onClose}
      width={640}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={props.onClose}>{t.common.cancel}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="hub-product-submit">
            {t.hub.products.submit}
          </Button>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary">{t.hub.products.drawerIntro}</Typography.Paragraph>
      <Form<RegisterForm> form={form} layout="vertical" onFinish={submit} initialValues={{ kind: 'app', gradeBands: [], dataTouched: [] }} requiredMark>
        <Form.Item name="name" label={t.hub.products.nameLabel} rules={[{ required: true, whitespace: true, message: t.hub.products.nameRequired }, { max: 120 }]}>
          <Input maxLength={120} placeholder={t.hub.products.namePlaceholder} data-testid="hub-product-name" />
        </Form.Item>
        <Form.Item name="kind" label={t.hub.products.kindLabel} extra={kind ? t.hub.products.kindHints[kind] : undefined} rules={[{ required: true }]}>
          <Radio.Group optionType="button" buttonStyle="solid" data-testid="hub-product-kind">
            {(['model', 'agent', 'app'] as const).map((k) => (
              <Radio.Button key={k} value={k}>
                <span data-testid={`hub-product-kind-${k}`}>{t.hub.kinds[k]}</span>
              </Radio.Button>
            ))}
          </Radio.Group>
        </Form.Item>
        {kind === 'model' && (
          <Form.Item
            name="modelId"
            label={t.hub.products.modelLabel}
            rules={[{ required: true, message: t.hub.products.modelRequired }]}
            validateStatus={models.error ? 'error' : undefined}
            help={models.error ? `${t.hub.products.modelsUnavailable}：${errorText(models.error, t)}` : undefined}
          >
            <Select
              showSearch
              optionFilterProp="label"
              loading={models.loading}
              data-testid="hub-product-model"
              options={(models.data ?? []).map((m) => ({ value: m.id, label: `${m.name} · ${m.vendor}` }))}
              onChange={(id: string) => {
                const m = models.data?.find((x) => x.id === id);
                if (m && !form.getFieldValue('vendor')) form.setFieldValue('vendor', m.vendor);
                if (m && !form.getFieldValue('name')) form.setFieldValue('name', m.name);
              }}
            />
          </Form.Item>
        )}
        <Form.Item name="vendor" label={t.hub.vendor} rules={[{ required: true, whitespace: true, message: t.hub.products.vendorRequired }, { max: 120 }]}>
          <Input maxLength={120} placeholder={t.hub.products.vendorPlaceholder} data-testid="hub-product-vendor" />
        </Form.Item>
        <Form.Item name="purpose" label={t.hub.products.purposeLabel} rules={[{ required: true, whitespace: true, message: t.hub.products.purposeRequired }, { max: 4000 }]}>
          <Input.TextArea rows={3} maxLength={4000} showCount placeholder={t.hub.products.purposePlaceholder} data-testid="hub-product-purpose" />
        </Form.Item>
        <Form.Item name="dataTouched" label={t.hub.products.dataLabel} extra={t.hub.products.dataHint}>
          <Select mode="tags" tokenSeparators={[',', '，', '、']} options={t.hub.products.dataSuggestions.map((d) => ({ value: d, label: d }))} maxCount={50} data-testid="hub-product-data" />
        </Form.Item>
        <Form.Item name="gradeBands" label={t.hub.gradeBands} rules={[{ required: true, type: 'array', min: 1, message: t.hub.products.bandsRequired }]}>
          <Checkbox.Group options={GRADE_BANDS.map((b) => ({ value: b, label: t.hub.bands[b] }))} data-testid="hub-product-bands" />
        </Form.Item>
        <Form.Item name="evidence" label={t.hub.products.evidenceLabel} rules={[{ max: 20000 }]}>
          <Input.TextArea rows={5} maxLength={20000} placeholder={t.hub.products.evidencePlaceholder} data-testid="hub-product-evidence" />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
