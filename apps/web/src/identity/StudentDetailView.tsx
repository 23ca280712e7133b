import { Card, Descriptions, Empty, Table, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { StudentDetail } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';

type Guardian = StudentDetail['guardians'][number];

export function StudentDetailView({ student }: { student: StudentDetail }) {
  const { t } = useI18n();
  return (
    <>
      <Card title={t.students.basicInfo} style={{ marginBottom: 16 }} data-testid="student-detail">
        <Descriptions column={{ xs: 1, sm: 2, lg: 3 }} bordered size="middle">
          <Descriptions.Item label={t.students.name}>{student.name}</Descriptions.Item>
          <Descriptions.Item label={t.students.studentNo}>{student.studentNo}</Descriptions.Item>
          <Descriptions.Item label={t.students.gender}>{student.gender ? t.gender[student.gender] : t.common.none}</Descriptions.Item>
          <Descriptions.Item label={t.students.school}>{student.schoolName}</Descriptions.Item>
          <Descriptions.Item label={t.students.grade}>{student.gradeName}</Descriptions.Item>
          <Descriptions.Item label={t.students.class}>{student.className}</Descriptions.Item>
          <Descriptions.Item label={t.students.username}>{student.username}</Descriptions.Item>
          <Descriptions.Item label={t.students.idNumber} span={2}>
            <span data-testid="id-number">{student.idNumberMasked ?? t.common.none}</span>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 12, fontSize: 12 }}>
          <SafetyCertificateOutlined /> {t.students.maskedHint}
        </Typography.Text>
      </Card>
      <Card title={t.students.guardians}>
        {student.guardians.length === 0 ? (
          <Empty description={t.students.noGuardians} image={Empty.PRESENTED_IMAGE_SIMPLE} />
        ) : (
          <Table<Guardian>
            rowKey={(g, i) => `${g.name}-${i}`}
            pagination={false}
            dataSource={student.guardians}
            columns={[
              { title: t.students.guardianName, dataIndex: 'name' },
              { title: t.students.guardianPhone, dataIndex: 'phoneMasked', render: (p: string | null) => p ?? t.common.none },
            ]}
          />
        )}
      </Card>
    </>
  );
}
