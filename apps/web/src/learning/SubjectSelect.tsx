/** The subject picker of the learning pages: published subjects, named in the UI language. */
import { Select, Space, Typography } from 'antd';
import { useI18n } from '../i18n';
import { useSubjects } from '../items/model';
import { published } from './model';

export function SubjectSelect(props: { value: string | undefined; onChange: (code: string) => void; testId: string }) {
  const { t, lang } = useI18n();
  const subjects = useSubjects();
  return (
    <Space>
      <Typography.Text type="secondary">{t.learning.subject}</Typography.Text>
      <Select
        style={{ width: 140 }}
        value={props.value}
        loading={!subjects.data}
        data-testid={props.testId}
        options={published(subjects.data).map((s) => ({ value: s.code, label: lang === 'en' ? s.nameEn : s.name }))}
        onChange={props.onChange}
      />
    </Space>
  );
}
