import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Table, Tag, Typography } from 'antd';
import { KeyOutlined, PlusOutlined } from '@ant-design/icons';
import type { ApiKeyInfo } from '@zhijiao/server/api-types';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { errorText } from '../shell/ApiErrorView';

interface CreateForm {
  name: string;
  expiresInDays?: number | null;
}

/** The caller's API keys (admin roles only): list, create (key shown once), revoke. */
export function ApiKeysSection() {
  const { t, lang } = useI18n();
  const { message } = App.useApp();
  const keys = useApi<ApiKeyInfo[]>('/api/me/api-keys');
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<(ApiKeyInfo & { key: string }) | null>(null);
  const [form] = Form.useForm<CreateForm>();

  const create = async (v: CreateForm) => {
    setBusy(true);
    try {
      const body = { name: v.name, ...(v.expiresInDays ? { expiresInDays: v.expiresInDays } : {}) };
      const k = await api.post<ApiKeyInfo & { key: string }>('/api/me/api-keys', body);
      setCreating(false);
      form.resetFields();
      setCreated(k);
      keys.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (k: ApiKeyInfo) => {
    try {
      await api.delete(`/api/me/api-keys/${encodeURIComponent(k.id)}`);
      message.success(t.apiKeys.revokedOk);
      keys.reload();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    }
  };

  const status = (k: ApiKeyInfo) => {
    if (k.revokedAt) return <Tag color="default">{t.apiKeys.revoked}</Tag>;
    if (k.expiresAt && new Date(k.expiresAt).getTime() < Date.now()) return <Tag color="orange">{t.apiKeys.expired}</Tag>;
    return <Tag color="green">{t.apiKeys.active}</Tag>;
  };

  return (
    <Card
      title={
        <>
          <KeyOutlined /> {t.apiKeys.title}
        </>
      }
      data-testid="api-keys"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t.apiKeys.create}
        </Button>
      }
    >
      <Typography.Paragraph type="secondary">{t.apiKeys.intro}</Typography.Paragraph>
      {keys.error && <Alert type="error" showIcon message={errorText(keys.error, t)} style={{ marginBottom: 16 }} />}
      <Table<ApiKeyInfo>
        rowKey="id"
        size="middle"
        loading={keys.loading}
        dataSource={keys.data ?? []}
        pagination={false}
        locale={{ emptyText: t.apiKeys.empty }}
        columns={[
          { title: t.apiKeys.name, dataIndex: 'name' },
          { title: t.apiKeys.prefix, dataIndex: 'prefix', render: (p: string) => <Typography.Text code>{p}…</Typography.Text> },
          { title: t.apiKeys.createdAt, dataIndex: 'createdAt', render: (v: string) => formatTime(v, lang) },
          { title: t.apiKeys.expiresAt, dataIndex: 'expiresAt', render: (v: string | null) => (v ? formatTime(v, lang) : t.apiKeys.never) },
          { title: t.apiKeys.lastUsedAt, dataIndex: 'lastUsedAt', render: (v: string | null) => (v ? formatTime(v, lang) : t.apiKeys.never) },
          { title: t.apiKeys.status, key: 'status', render: (_, k) => status(k) },
          {
            title: t.common.actions,
            key: 'actions',
            render: (_, k) =>
              k.revokedAt ? null : (
                <Popconfirm title={t.apiKeys.revokeConfirm} okText={t.apiKeys.revoke} cancelText={t.common.cancel} onConfirm={() => revoke(k)}>
                  <Button type="link" danger size="small">
                    {t.apiKeys.revoke}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
      <Modal
        title={t.apiKeys.create}
        open={creating}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText={t.apiKeys.create}
        cancelText={t.common.cancel}
        confirmLoading={busy}
        destroyOnHidden
      >
        <Form<CreateForm> form={form} layout="vertical" onFinish={create} requiredMark={false}>
          <Form.Item name="name" label={t.apiKeys.name} rules={[{ required: true, whitespace: true, message: t.apiKeys.nameRequired }]}>
            <Input placeholder={t.apiKeys.namePlaceholder} maxLength={80} />
          </Form.Item>
          <Form.Item name="expiresInDays" label={t.apiKeys.expiresInDays} extra={t.apiKeys.expiresHint}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title={t.apiKeys.createdTitle}
        open={created !== null}
        closable={false}
        maskClosable={false}
        footer={
          <Button type="primary" onClick={() => setCreated(null)}>
            {t.apiKeys.done}
          </Button>
        }
      >
        <Alert type="warning" showIcon message={t.apiKeys.createdWarning} style={{ marginBottom: 16 }} />
        {created && (
          <Typography.Paragraph
            className="zj-secret"
            data-testid="api-key-secret"
            copyable={{ text: created.key, tooltips: [t.apiKeys.copy, t.common.copied] }}
          >
            {created.key}
          </Typography.Paragraph>
        )}
      </Modal>
    </Card>
  );
}
