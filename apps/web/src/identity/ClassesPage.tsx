import { Card, Col, Empty, Row, Space, Spin, Statistic, Tag, Typography } from 'antd';
import { TeamOutlined } from '@ant-design/icons';
import { useNavigate } from 'react-router';
import type { ClassSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { hasRole, useSession } from '../shell/session';
import { classLabel } from './format';

export function ClassesPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const navigate = useNavigate();
  const { data, error, loading } = useApi<ClassSummary[]>('/api/classes');
  const mine = !hasRole(me, 'school_admin', 'county_admin', 'city_admin', 'province_admin', 'sysadmin');
  const title = mine ? t.classes.myTitle : t.classes.title;
  if (error) return <ApiErrorView error={error} />;
  const classes = [...(data ?? [])].sort(
    (a, b) => a.schoolName.localeCompare(b.schoolName, 'zh-CN') || a.gradeLevel - b.gradeLevel || a.name.localeCompare(b.name, 'zh-CN'),
  );
  return (
    <>
      <PageHeader title={title} subtitle={data ? t.classes.count(data.length) : undefined} />
      <Spin spinning={loading}>
        {!loading && classes.length === 0 ? (
          <Card>
            <Empty description={t.classes.empty} />
          </Card>
        ) : (
          <Row gutter={[16, 16]}>
            {classes.map((c) => (
              <Col key={c.id} xs={24} sm={12} lg={8} xxl={6}>
                <Card
                  className="zj-card-link"
                  data-testid="class-card"
                  onClick={() => navigate(`/classes/${c.id}`)}
                  title={
                    <Space>
                      <TeamOutlined style={{ color: '#1677ff' }} />
                      <span data-testid="class-name">{classLabel(c)}</span>
                    </Space>
                  }
                  extra={<Tag>{c.gradeName}</Tag>}
                >
                  <Typography.Paragraph type="secondary" data-testid="class-school" style={{ marginBottom: 12 }}>
                    {c.schoolName}
                  </Typography.Paragraph>
                  <Statistic title={t.classes.studentCount} value={c.studentCount} valueStyle={{ fontSize: 22 }} />
                  {(c.myRoles.length > 0 || c.subjects.length > 0) && (
                    <div style={{ marginTop: 12 }}>
                      {c.myRoles.map((r) => (
                        <Tag key={r} color="blue">
                          {t.roles[r]}
                        </Tag>
                      ))}
                      {c.subjects.map((s) => (
                        <Tag key={s} color="green">
                          {s}
                        </Tag>
                      ))}
                    </div>
                  )}
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </Spin>
    </>
  );
}
