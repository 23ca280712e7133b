import { useState } from 'react';
import { App, Button, Card, Col, Descriptions, Form, Input, Row, Table, Tag } from 'antd';
import type { RoleBinding } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import { API_KEY_ROLES, hasRole, useSession } from '../shell/session';
import { LangSwitch } from '../shell/LangSwitch';
import { PageHeader } from '../shell/PageHeader';
import { ApiKeysSection } from './ApiKeysSection';

interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export function ProfilePage() {
  const { t } = useI18n();
  const { me } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordForm>();
  const [busy, setBusy] = useState(false);
  if (!me) return null;

  const changePassword = async (v: PasswordForm) => {
    setBusy(true);
    try {
      await api.post('/api/auth/password', { currentPassword: v.currentPassword, newPassword: v.newPassword });
      message.success(t.profile.passwordChanged);
      form.resetFields();
    } catch (e) {
      message.error(errorText(toApiError(e), t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader title={t.profile.title} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          <Card title={t.profile.account} style={{ marginBottom: 16 }}>
            <Descriptions column={1} size="middle">
              <Descriptions.Item label={t.profile.username}>
                <span data-testid="profile-username">{me.username}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t.profile.displayName}>{me.displayName}</Descriptions.Item>
              <Descriptions.Item label={t.profile.via}>
                {me.via === 'session' ? t.profile.viaSession : t.profile.viaApiKey}
              </Descriptions.Item>
              <Descriptions.Item label={t.profile.language}>
                <LangSwitch size="small" />
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t.profile.roles}>
            <Table<RoleBinding>
              rowKey={(r, i) => `${r.role}-${r.scopeId ?? ''}-${r.subject ?? ''}-${i}`}
              size="small"
              pagination={false}
              dataSource={me.roles}
              columns={[
                { title: t.profile.role, dataIndex: 'role', render: (r: RoleBinding['role']) => <Tag color="blue">{t.roles[r]}</Tag> },
                {
                  title: t.profile.scope,
                  key: 'scope',
                  render: (_, r) => (
                    <>
                      <Tag>{t.scopeTypes[r.scopeType]}</Tag>
                      {r.scopeName}
                    </>
                  ),
                },
                { title: t.profile.subject, dataIndex: 'subject', render: (s: string | null) => s ?? t.common.none },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t.profile.passwordTitle}>
            <Form<PasswordForm> form={form} layout="vertical" onFinish={changePassword} requiredMark={false}>
              <Form.Item
                name="currentPassword"
                label={t.profile.currentPassword}
                rules={[{ required: true, message: t.profile.passwordRequired }]}
              >
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Form.Item
                name="newPassword"
                label={t.profile.newPassword}
                rules={[
                  { required: true, message: t.profile.passwordRequired },
                  { min: 10, message: t.profile.passwordMin },
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item
                name="confirm"
                label={t.profile.confirmPassword}
                dependencies={['newPassword']}
                rules={[
                  { required: true, message: t.profile.passwordRequired },
                  ({ getFieldValue }) => ({
                    validator: (_, v) =>
                      !v || getFieldValue('newPassword') === v ? Promise.resolve() : Promise.reject(new Error(t.profile.passwordMismatch)),
                  }),
                ]}
              >
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>
                {t.profile.changePassword}
              </Button>
            </Form>
          </Card>
        </Col>
        {hasRole(me, ...API_KEY_ROLES) && (
          <Col span={24}>
            <ApiKeysSection />
          </Col>
        )}
      </Row>
    </>
  );
}
