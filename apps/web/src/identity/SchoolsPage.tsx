import { Button, Card, Table } from 'antd';
import { useNavigate } from 'react-router';
import type { SchoolSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';

export function SchoolsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const { data, error, loading } = useApi<SchoolSummary[]>('/api/schools');
  if (error) return <ApiErrorView error={error} />;
  const open = (s: SchoolSummary) => navigate(`/students?schoolId=${encodeURIComponent(s.id)}`);
  return (
    <>
      <PageHeader title={t.schools.title} subtitle={data ? t.common.total(data.length) : undefined} />
      <Card>
        <Table<SchoolSummary>
          rowKey="id"
          data-testid="schools-table"
          loading={loading}
          dataSource={data ?? []}
          pagination={false}
          locale={{ emptyText: t.schools.empty }}
          rowClassName={() => 'zj-clickable-row'}
          onRow={(s) => ({ onClick: () => open(s) })}
          columns={[
            { title: t.schools.name, dataIndex: 'name', render: (v: string) => <a>{v}</a> },
            { title: t.schools.code, dataIndex: 'code' },
            { title: t.schools.region, dataIndex: 'regionName' },
            { title: t.schools.classCount, dataIndex: 'classCount', align: 'right' },
            { title: t.schools.studentCount, dataIndex: 'studentCount', align: 'right' },
            {
              title: t.common.actions,
              key: 'actions',
              render: (_, s) => (
                <Button
                  type="link"
                  size="small"
                  onClick={(e) => {
                    e.stopPropagation();
                    open(s);
                  }}
                >
                  {t.schools.viewStudents}
                </Button>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
