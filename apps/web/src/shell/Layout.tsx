/** The signed-in frame: sider navigation, header with user, roles, language and sign-out. */
import { useState, type ReactNode } from 'react';
import { Avatar, Button, Dropdown, Layout, Menu, Space, Tag, Typography, type MenuProps } from 'antd';
import { LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Outlet, useLocation, useNavigate } from 'react-router';
import type { Me } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useSession } from './session';
import { navFor, routeAllowed } from './nav';
import { LangSwitch } from './LangSwitch';
import { Logo } from './Logo';
import { Forbidden } from './Forbidden';

const { Sider, Header, Content, Footer } = Layout;

export function AppLayout({ me }: { me: Me }) {
  const { t } = useI18n();
  const { logout } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState(false);
  const items = navFor(me, t);
  const selected = items
    .filter((i) => location.pathname === i.path || location.pathname.startsWith(`${i.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0]?.path;
  const roleNames = [...new Set(me.roles.map((r) => r.role))];
  const allowed = routeAllowed(me, t, location.pathname);
  // Entries with a group (e.g. the AI hub's pages) sit under one heading, in the order they first appear.
  const menu: NonNullable<MenuProps['items']> = [];
  const groups = new Map<string, { type: 'group'; key: string; label: string; children: { key: string; icon: ReactNode; label: string }[] }>();
  for (const i of items) {
    const e = { key: i.path, icon: i.icon, label: i.label };
    if (!i.group) {
      menu.push(e);
      continue;
    }
    let g = groups.get(i.group);
    if (!g) {
      g = { type: 'group', key: `group:${i.group}`, label: i.group, children: [] };
      groups.set(i.group, g);
      menu.push(g);
    }
    g.children.push(e);
  }

  return (
    <Layout className="zj-app">
      <Sider
        collapsible
        collapsed={collapsed}
        onCollapse={setCollapsed}
        breakpoint="lg"
        width={220}
        theme="dark"
        className="zj-sider"
      >
        <Logo collapsed={collapsed} dark />
        <Menu
          theme="dark"
          mode="inline"
          data-testid="nav"
          selectedKeys={selected ? [selected] : []}
          items={menu}
          onClick={(e) => navigate(e.key)}
        />
      </Sider>
      <Layout>
        <Header className="zj-header">
          <div className="zj-header-roles">
            {roleNames.map((r) => (
              <Tag key={r} color="blue" bordered={false} data-testid="role-tag">
                {t.roles[r]}
              </Tag>
            ))}
          </div>
          <Space size="middle">
            <LangSwitch size="small" />
            <Dropdown
              menu={{
                items: [
                  { key: 'profile', icon: <UserOutlined />, label: t.nav.profile },
                  { key: 'logout', icon: <LogoutOutlined />, label: t.auth.logout },
                ],
                onClick: async (e) => {
                  if (e.key === 'profile') navigate('/profile');
                  else await logout();
                },
              }}
            >
              <Space className="zj-user" data-testid="user-menu">
                <Avatar size="small" style={{ background: '#1677ff' }}>
                  {me.displayName.slice(0, 1)}
                </Avatar>
                <Typography.Text strong data-testid="display-name">
                  {me.displayName}
                </Typography.Text>
              </Space>
            </Dropdown>
            <Button
              type="text"
              icon={<LogoutOutlined />}
              data-testid="logout"
              onClick={() => void logout()}
            >
              {t.auth.logout}
            </Button>
          </Space>
        </Header>
        <Content className="zj-content">{allowed ? <Outlet /> : <Forbidden />}</Content>
        <Footer className="zj-footer">{t.app.footer}</Footer>
      </Layout>
    </Layout>
  );
}
