/** The pieces every import page shares: the drop zone and the alert for a file the server refused. */
import type { ReactNode } from 'react';
import { InboxOutlined } from '@ant-design/icons';
import { Alert, Tag, Upload } from 'antd';
import { useI18n } from '../i18n';
import type { ApiError } from './api';
import { errorText } from './ApiErrorView';

export function FileDrop(props: {
  accept: string;
  disabled?: boolean;
  text: ReactNode;
  hint: ReactNode;
  onFile: (file: File) => void;
  testId?: string;
}) {
  return (
    <Upload.Dragger
      accept={props.accept}
      multiple={false}
      showUploadList={false}
      disabled={props.disabled}
      beforeUpload={(file) => {
        props.onFile(file);
        return false;
      }}
      data-testid={props.testId}
    >
      <p className="ant-upload-drag-icon">
        <InboxOutlined />
      </p>
      <p className="ant-upload-text">{props.text}</p>
      <p className="ant-upload-hint">{props.hint}</p>
    </Upload.Dragger>
  );
}

/** The server's reason for refusing the whole file, with the missing columns as tags when it names them. */
export function UploadFailed(props: { error: ApiError; title: ReactNode; testId?: string; missingTestId?: string }) {
  const { t } = useI18n();
  const missing = props.error.problem?.missingColumns;
  return (
    <Alert
      style={{ marginTop: 16 }}
      type="error"
      showIcon
      data-testid={props.testId}
      message={props.title}
      description={
        <>
          <div>{errorText(props.error, t)}</div>
          {Array.isArray(missing) && missing.length > 0 && (
            <div style={{ marginTop: 8 }} data-testid={props.missingTestId}>
              {missing.map((c) => (
                <Tag key={String(c)} color="red">
                  {String(c)}
                </Tag>
              ))}
            </div>
          )}
        </>
      }
    />
  );
}
