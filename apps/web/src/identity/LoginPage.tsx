import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import type { Me } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import { useSession } from '../shell/session';
import { LangSwitch } from '../shell/LangSwitch';
import { Logo } from '../shell/Logo';

interface LoginForm {
  username: string;
  password: string;
}

export function LoginPage() {
  const { t } = useI18n();
  const { setMe } = useSession();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onFinish = async (values: LoginForm) => {
    setBusy(true);
    setError(null);
    try {
      const me = await api.post<Me>('/api/auth/login', values);
      setMe(me);
    } catch (e) {
      setError(errorText(toApiError(e), t));
      setBusy(false);
    }
  };

  return (
    <div className="zj-login">
      <div className="zj-login-top">
        <Logo />
        <LangSwitch />
      </div>
      <div className="zj-login-main">
        <Card className="zj-login-card" variant="borderless">
          <div className="zj-login-hero">
            <Typography.Title level={3} style={{ marginBottom: 4 }}>
              {t.auth.loginTitle}
            </Typography.Title>
            <Typography.Text type="secondary">{t.app.tagline}</Typography.Text>
          </div>
          {error && (
            <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" />
          )}
          <Form<LoginForm> layout="vertical" size="large" onFinish={onFinish} requiredMark={false}>
            <Form.Item name="username" label={t.auth.username} rules={[{ required: true, message: t.auth.usernameRequired }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus data-testid="login-username" />
            </Form.Item>
            <Form.Item name="password" label={t.auth.password} rules={[{ required: true, message: t.auth.passwordRequired }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" data-testid="login-password" />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={busy} data-testid="login-submit">
              {t.auth.login}
            </Button>
          </Form>
          <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, textAlign: 'center', fontSize: 13 }}>
            {t.auth.loginSubtitle}
          </Typography.Paragraph>
        </Card>
      </div>
    </div>
  );
}
