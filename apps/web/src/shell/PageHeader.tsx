import type { ReactNode } from 'react';
import { Button, Space, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';

/** Title row of a page: optional back button, title, subtitle and actions on the right. */
export function PageHeader(props: { title: ReactNode; subtitle?: ReactNode; extra?: ReactNode; onBack?: () => void }) {
  return (
    <div className="zj-page-header">
      <Space align="center" size="middle">
        {props.onBack && <Button type="text" icon={<ArrowLeftOutlined />} onClick={props.onBack} />}
        <div>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="page-title">
            {props.title}
          </Typography.Title>
          {props.subtitle && <Typography.Text type="secondary">{props.subtitle}</Typography.Text>}
        </div>
      </Space>
      {props.extra && <div>{props.extra}</div>}
    </div>
  );
}
