import { Table, type TablePaginationConfig } from 'antd';
import { useNavigate } from 'react-router';
import type { StudentSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';

/** A table of students; a row click opens the student's page. */
export function StudentsTable(props: {
  students: StudentSummary[];
  loading?: boolean;
  pagination?: TablePaginationConfig | false;
  showSchool?: boolean;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  return (
    <Table<StudentSummary>
      rowKey="id"
      data-testid="students-table"
      loading={props.loading}
      dataSource={props.students}
      pagination={props.pagination ?? false}
      locale={{ emptyText: t.students.empty }}
      rowClassName={() => 'zj-clickable-row'}
      onRow={(s) => ({ onClick: () => navigate(`/students/${s.id}`) })}
      columns={[
        { title: t.students.name, dataIndex: 'name', render: (v: string) => <a>{v}</a> },
        { title: t.students.studentNo, dataIndex: 'studentNo' },
        { title: t.students.gender, dataIndex: 'gender', render: (g: StudentSummary['gender']) => (g ? t.gender[g] : t.common.none) },
        ...(props.showSchool === false ? [] : [{ title: t.students.school, dataIndex: 'schoolName' }]),
        { title: t.students.grade, dataIndex: 'gradeName' },
        { title: t.students.class, dataIndex: 'className' },
      ]}
    />
  );
}
