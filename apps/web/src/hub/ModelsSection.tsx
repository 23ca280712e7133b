/**
 * The model catalogue (on /hub/nodes?tab=models): the names callers put in `model`, their kind,
 * vendor, context length and prices (stored in 分 per million tokens, shown and typed in 元), and
 * whether an approved product puts each into service.
 */
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Radio, Table, Tag, Typography } from 'antd';
import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';
import { api, request, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { rowProps, useHubCan } from './common';
import { fenToYuan, formatInt, yuanToFen, type Model, type ModelInput, type ModelPatch } from './model';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;

export function ModelsSection() {
  const { t, lang } = useI18n();
  const models = useApi<Model[]>('/api/hub/models');
  const [editing, setEditing] = useState<Model | 'new' | null>(null);
  const canManage = useHubCan().registryManage;

  if (models.error?.status === 403) return <ApiErrorView error={models.error} />;
  const price = (fen: number) => <span className="zj-hub-num">{fenToYuan(fen, lang)}</span>;

  return (
    <Card
      extra={
        canManage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="hub-model-add">
            {t.hub.models.add}
          </Button>
        )
      }
      title={<Typography.Text type="secondary" style={{ fontWeight: 'normal' }}>{t.hub.models.intro}</Typography.Text>}
    >
      {models.error && <Alert type="error" showIcon message={errorText(models.error, t)} style={{ marginBottom: 16 }} />}
      <Table<Model>
        rowKey="id"
        size="middle"
        data-testid="hub-models"
        loading={models.loading}
        dataSource={models.data ?? []}
        pagination={false}
        scroll={{ x: 1000 }}
        locale={{ emptyText: t.hub.models.empty }}
        onRow={(m) => rowProps({ 'data-testid': 'hub-model-row', 'data-name': m.name })}
        columns={[
          { title: t.hub.models.name, dataIndex: 'name', render: (n: string) => <Typography.Text code copyable style={{ whiteSpace: 'nowrap' }}>{n}</Typography.Text> },
          { title: t.hub.models.kind, dataIndex: 'kind', width: 80, render: (k: Model['kind']) => <Tag bordered={false}>{t.hub.models.kinds[k]}</Tag> },
          { title: t.hub.vendor, dataIndex: 'vendor' },
          { title: t.hub.models.description, dataIndex: 'description', ellipsis: true },
          { title: `${t.hub.models.promptPrice}（${t.hub.perMillion}）`, dataIndex: 'promptPrice', align: 'right', width: 150, render: price },
          { title: `${t.hub.models.completionPrice}（${t.hub.perMillion}）`, dataIndex: 'completionPrice', align: 'right', width: 150, render: price },
          { title: t.hub.models.contextTokens, dataIndex: 'contextTokens', align: 'right', width: 110, render: (n: number) => <span className="zj-hub-num">{formatInt(n, lang)}</span> },
          {
            title: t.hub.models.approved,
            dataIndex: 'approved',
            width: 90,
            render: (a: boolean) => <Tag color={a ? 'success' : 'default'}>{a ? t.hub.models.approvedYes : t.hub.models.approvedNo}</Tag>,
          },
          { title: t.hub.models.nodes, dataIndex: 'nodes', width: 70, align: 'right' },
          ...(canManage
            ? [
                {
                  title: t.common.actions,
                  key: 'actions',
                  width: 80,
                  render: (_: unknown, m: Model) => (
                    <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(m)}>
                      {t.hub.edit}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      <ModelModal
        model={editing}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          models.reload();
        }}
      />
    </Card>
  );
}

interface ModelForm {
  name: string;
  kind: Model['kind'];
  vendor: string;
  description?: string;
  /** 元 per million tokens. */
  promptPrice: number;
  completionPrice: number;
  contextTokens: number;
}

function ModelModal(props: { model: Model | 'new' | null; onClose(): void; onSaved(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<ModelForm>();
  const [busy, setBusy] = useState(false);
  const existing = props.model && props.model !== 'new' ? props.model : null;

  const submit = async (v: ModelForm) => {
    const patch: ModelPatch = {
      vendor: v.vendor.trim(),
      description: v.description?.trim() ?? '',
      promptPrice: yuanToFen(v.promptPrice),
      completionPrice: yuanToFen(v.completionPrice),
      contextTokens: v.contextTokens,
    };
    setBusy(true);
    try {
      if (existing) {
        await request<Model>('PATCH', `/api/hub/models/${encodeURIComponent(existing.id)}`, patch);
        message.success(t.hub.models.updated);
      } else {
        const body: ModelInput = { name: v.name.trim(), kind: v.kind, vendor: patch.vendor!, description: patch.description, promptPrice: patch.promptPrice!, completionPrice: patch.completionPrice!, contextTokens: patch.contextTokens };
        await api.post<Model>('/api/hub/models', body);
        message.success(t.hub.models.created);
      }
      props.onSaved();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const initial: ModelForm = existing
    ? {
        name: existing.name,
        kind: existing.kind,
        vendor: existing.vendor,
        description: existing.description,
        promptPrice: existing.promptPrice / 100,
        completionPrice: existing.completionPrice / 100,
        contextTokens: existing.contextTokens,
      }
    : { name: '', kind: 'chat', vendor: '', description: '', promptPrice: 0, completionPrice: 0, contextTokens: 8192 };

  return (
    <Modal
      title={existing ? t.hub.models.editTitle : t.hub.models.addTitle}
      open={props.model !== null}
      onCancel={props.onClose}
      onOk={() => form.submit()}
      okText={t.common.save}
      okButtonProps={{ 'data-testid': 'hub-model-save' }}
      cancelText={t.common.cancel}
      confirmLoading={busy}
      destroyOnHidden
      width={560}
    >
      <Form<ModelForm> form={form} layout="vertical" onFinish={submit} initialValues={initial}>
        <Form.Item
          name="name"
          label={t.hub.models.name}
          extra={t.hub.models.nameHint}
          rules={[{ required: true, pattern: NAME_RE, message: t.hub.models.nameRequired }]}
        >
          <Input disabled={!!existing} maxLength={64} placeholder="qwen2.5-72b-instruct" data-testid="hub-model-name" />
        </Form.Item>
        <Form.Item name="kind" label={t.hub.models.kind}>
          <Radio.Group disabled={!!existing} optionType="button" options={(['chat', 'embedding'] as const).map((k) => ({ value: k, label: t.hub.models.kinds[k] }))} />
        </Form.Item>
        <Form.Item name="vendor" label={t.hub.vendor} rules={[{ required: true, whitespace: true, message: t.hub.products.vendorRequired }, { max: 120 }]}>
          <Input maxLength={120} data-testid="hub-model-vendor" />
        </Form.Item>
        <Form.Item name="description" label={t.hub.models.description} rules={[{ max: 2000 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} />
        </Form.Item>
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Form.Item name="promptPrice" label={t.hub.models.promptPrice} rules={[{ required: true, message: t.hub.models.priceRequired }]} style={{ flex: 1, minWidth: 200 }}>
            <InputNumber min={0} max={1_000_000} step={0.01} precision={2} addonAfter={t.hub.perMillion} style={{ width: '100%' }} data-testid="hub-model-prompt-price" />
          </Form.Item>
          <Form.Item name="completionPrice" label={t.hub.models.completionPrice} rules={[{ required: true, message: t.hub.models.priceRequired }]} style={{ flex: 1, minWidth: 200 }}>
            <InputNumber min={0} max={1_000_000} step={0.01} precision={2} addonAfter={t.hub.perMillion} style={{ width: '100%' }} data-testid="hub-model-completion-price" />
          </Form.Item>
        </div>
        <Form.Item name="contextTokens" label={t.hub.models.contextTokens} rules={[{ required: true }]}>
          <InputNumber min={256} max={10_000_000} step={1024} precision={0} style={{ width: 200 }} addonAfter="tokens" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
