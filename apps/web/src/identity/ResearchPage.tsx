import { Card, Result } from 'antd';
import { ExperimentOutlined } from '@ant-design/icons';
import { useI18n } from '../i18n';

export function ResearchPage() {
  const { t } = useI18n();
  return (
    <Card>
      <Result
        icon={<ExperimentOutlined style={{ color: '#1677ff' }} />}
        title={<span data-testid="research-heading">{t.research.heading}</span>}
        subTitle={t.research.body}
      />
    </Card>
  );
}
