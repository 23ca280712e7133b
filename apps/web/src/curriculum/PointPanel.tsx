/** Side panel of one knowledge point: its fields, direct neighbours and the full learning path. */
import { Alert, Descriptions, Drawer, Space, Spin, Steps, Tag, Typography } from 'antd';
import type { Graph } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import type { ApiError } from '../shell/api';
import { errorText } from '../shell/ApiErrorView';
import type { GraphIndex } from './graph-model';

export const POINT_PANEL_WIDTH = 420;

export function PointPanel(props: {
  graph: Graph;
  index: GraphIndex;
  code: string | null;
  /** The learning path, prerequisites first and ending with the point; undefined while loading. */
  path: string[] | undefined;
  pathError: ApiError | undefined;
  /** The path was computed on a draft or older version (not by the server's published graph). */
  pathLocal: boolean;
  onSelect(code: string): void;
  onClose(): void;
}) {
  const { t, lang } = useI18n();
  const { graph, index, code } = props;
  const p = code ? index.byCode.get(code) : undefined;
  const domainName = (c: string | null) => {
    const d = graph.domains.find((x) => x.code === c);
    return d ? (lang === 'en' && d.nameEn ? d.nameEn : d.name) : t.curriculum.otherDomain;
  };
  const pointTags = (codes: string[], testId: string) =>
    codes.length === 0 ? (
      <Typography.Text type="secondary">{t.curriculum.none}</Typography.Text>
    ) : (
      <Space size={[4, 6]} wrap data-testid={testId}>
        {codes.map((c) => (
          <Tag key={c} color="blue" style={{ cursor: 'pointer' }} onClick={() => props.onSelect(c)} data-testid="kp-link">
            {index.byCode.get(c)?.name ?? c}
          </Tag>
        ))}
      </Space>
    );

  return (
    <Drawer
      open={!!p}
      onClose={props.onClose}
      mask={false}
      width={POINT_PANEL_WIDTH}
      title={t.curriculum.pointDetail}
      destroyOnHidden
      data-testid="kp-detail"
    >
      {p && (
        <div data-testid="kp-detail-body">
          <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="kp-detail-name">
            {p.name}
          </Typography.Title>
          <Descriptions column={1} size="small" bordered styles={{ label: { width: 76, whiteSpace: 'nowrap' } }}>
            <Descriptions.Item label={t.curriculum.code}>
              <Typography.Text code>{p.code}</Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t.curriculum.grade}>{t.curriculum.gradeName(p.grade)}</Descriptions.Item>
            <Descriptions.Item label={t.curriculum.domain}>{domainName(p.domain)}</Descriptions.Item>
            <Descriptions.Item label={t.curriculum.description}>{p.description || t.common.none}</Descriptions.Item>
          </Descriptions>

          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {t.curriculum.prerequisites}
          </Typography.Title>
          {pointTags(p.prerequisites.filter((c) => index.byCode.has(c)), 'kp-prerequisites')}

          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {t.curriculum.dependents}
          </Typography.Title>
          {pointTags(index.dependents.get(p.code) ?? [], 'kp-dependents')}

          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {t.curriculum.learningPath}
            {props.pathLocal && (
              <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal', marginLeft: 8 }}>
                {t.curriculum.pathFromDraft}
              </Typography.Text>
            )}
          </Typography.Title>
          {props.pathError ? (
            <Alert type="error" showIcon message={errorText(props.pathError, t)} />
          ) : !props.path ? (
            <Spin />
          ) : (
            <div data-testid="kp-path">
              <Typography.Paragraph type="secondary">{t.curriculum.learningPathHint(props.path.length)}</Typography.Paragraph>
              <Steps
                direction="vertical"
                size="small"
                current={props.path.length - 1}
                items={props.path.map((c) => ({
                  title: (
                    <a onClick={() => c !== p.code && props.onSelect(c)} data-testid="kp-path-step">
                      {index.byCode.get(c)?.name ?? c}
                    </a>
                  ),
                  description: (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {c} · {t.curriculum.gradeName(index.byCode.get(c)?.grade ?? 0)}
                    </Typography.Text>
                  ),
                }))}
              />
            </div>
          )}
        </div>
      )}
    </Drawer>
  );
}
