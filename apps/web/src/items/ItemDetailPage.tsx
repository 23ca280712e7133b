/** /items/:id: the full item with answers and rubrics, its versions, and edit / share actions. */
import { useState } from 'react';
import { Alert, App, Button, Card, Col, Descriptions, Dropdown, Empty, List, Popconfirm, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { DownOutlined, EditOutlined, HistoryOutlined, LockOutlined, ShareAltOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { formatTime, useI18n } from '../i18n';
import { api, toApiError } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView, errorText } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../shell/session';
import { RichText } from './RichText';
import { ItemBodyView } from './ItemBodyView';
import { DIFFICULTY_COLORS, OWNER_COLORS, TYPE_COLORS, mayEdit, shareTargets, subjectName, usePoints, useSubjects, type Item } from './model';

export function ItemDetailPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const { me } = useSession();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const [viewing, setViewing] = useState<number | null>(null);
  const [sharing, setSharing] = useState(false);
  const current = useApi<Item>(`/api/items/${id}`);
  const versions = useApi<{ version: number; locked: boolean; createdAt: string }[]>(`/api/items/${id}/versions`);
  const old = useApi<Item>(viewing !== null && viewing !== current.data?.version ? `/api/items/${id}/versions/${viewing}` : null);
  const subjects = useSubjects();
  const points = usePoints(current.data?.subject);

  if (current.error) return <ApiErrorView error={current.error} />;
  if (!current.data)
    return (
      <Card>
        <Skeleton active paragraph={{ rows: 10 }} />
      </Card>
    );

  const latest = current.data;
  const item = old.data ?? latest;
  const readOnly = item.version !== latest.version;
  const canEdit = mayEdit(me, latest);
  const targets = shareTargets(me, latest);

  const share = async (to: 'school' | 'region') => {
    setSharing(true);
    try {
      await api.post<Item>(`/api/items/${id}/share`, { to });
      message.success(t.items.shared);
      current.reload();
    } catch (e) {
      modal.error({ title: t.items.shareFailed, content: errorText(toApiError(e), t) });
    } finally {
      setSharing(false);
    }
  };
  const confirmShare = (to: 'school' | 'region') =>
    modal.confirm({
      title: to === 'school' ? t.items.shareToSchool : t.items.shareToRegion,
      content: to === 'school' ? t.items.shareConfirmSchool : t.items.shareConfirmRegion,
      okText: t.common.confirm,
      cancelText: t.common.cancel,
      onOk: () => share(to),
    });

  const actions = (
    <Space>
      {targets.length > 0 &&
        (targets.length === 1 ? (
          <Popconfirm
            title={targets[0] === 'school' ? t.items.shareToSchool : t.items.shareToRegion}
            description={<div style={{ maxWidth: 320 }}>{targets[0] === 'school' ? t.items.shareConfirmSchool : t.items.shareConfirmRegion}</div>}
            okText={t.common.confirm}
            cancelText={t.common.cancel}
            onConfirm={() => share(targets[0]!)}
          >
            <Button icon={<ShareAltOutlined />} loading={sharing} data-testid="item-share">
              {targets[0] === 'school' ? t.items.shareToSchool : t.items.shareToRegion}
            </Button>
          </Popconfirm>
        ) : (
          <Dropdown
            menu={{
              items: targets.map((to) => ({ key: to, label: to === 'school' ? t.items.shareToSchool : t.items.shareToRegion })),
              onClick: (e) => confirmShare(e.key as 'school' | 'region'),
            }}
          >
            <Button icon={<ShareAltOutlined />} loading={sharing} data-testid="item-share">
              {t.items.share} <DownOutlined />
            </Button>
          </Dropdown>
        ))}
      {canEdit && (
        <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/items/${id}/edit`)} data-testid="item-edit">
          {t.items.edit}
        </Button>
      )}
    </Space>
  );

  return (
    <>
      <PageHeader
        title={t.items.detailTitle}
        subtitle={
          <Space size={8} wrap>
            <span>{subjectName(subjects.data, latest.subject, lang)}</span>
            <span>·</span>
            <span>{t.items.gradeName(latest.grade)}</span>
            <span>·</span>
            <span>{t.items.types[latest.body.type]}</span>
          </Space>
        }
        onBack={() => navigate(-1)}
        extra={actions}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={17}>
          {readOnly && (
            <Alert
              type="info"
              showIcon
              icon={<HistoryOutlined />}
              style={{ marginBottom: 16 }}
              message={t.items.viewingVersion(item.version)}
              action={
                <Button size="small" onClick={() => setViewing(null)}>
                  {t.items.backToCurrent}
                </Button>
              }
              data-testid="viewing-version"
            />
          )}
          <Card
            title={
              <Space>
                <Tag color={TYPE_COLORS[item.body.type]}>{t.items.types[item.body.type]}</Tag>
                <span data-testid="item-version">{t.items.versionN(item.version)}</span>
                {item.locked && (
                  <Tag icon={<LockOutlined />} color="warning" bordered={false}>
                    {t.items.lockedTag}
                  </Tag>
                )}
              </Space>
            }
            extra={<Typography.Text type="secondary">{t.items.scoreN(item.score)}</Typography.Text>}
            loading={old.loading && viewing !== null && viewing !== latest.version}
            data-testid="item-detail"
          >
            <ItemBodyView body={item.body} answers />
          </Card>
          <Card title={t.items.explanation} style={{ marginTop: 16 }}>
            {item.explanation ? (
              <RichText text={item.explanation} testId="item-explanation" />
            ) : (
              <Typography.Text type="secondary">{t.items.noExplanation}</Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={7}>
          <Card title={t.items.meta} size="small">
            <Descriptions column={1} size="small" colon={false} labelStyle={{ width: 72, color: '#8c8c8c' }}>
              <Descriptions.Item label={t.items.subject}>{subjectName(subjects.data, item.subject, lang)}</Descriptions.Item>
              <Descriptions.Item label={t.items.grade}>{t.items.gradeName(item.grade)}</Descriptions.Item>
              <Descriptions.Item label={t.items.difficulty}>
                <span style={{ color: DIFFICULTY_COLORS[item.difficulty] }}>
                  {'★'.repeat(item.difficulty)}
                  <span style={{ color: '#d9d9d9' }}>{'★'.repeat(5 - item.difficulty)}</span>
                </span>
                <span style={{ marginLeft: 6 }}>{t.items.difficulties[item.difficulty]}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t.items.totalScore}>{t.items.scoreN(item.score)}</Descriptions.Item>
              <Descriptions.Item label={t.items.owner}>
                <Tag color={OWNER_COLORS[latest.owner.type]} bordered={false} data-testid="item-owner">
                  {t.items.owners[latest.owner.type]}
                </Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t.items.irt}>
                {item.irt ? (
                  <>
                    {t.items.irtValue(item.irt.a.toFixed(2), item.irt.b.toFixed(2), item.irt.n)}
                    {item.irt.level && (
                      <Tag color="green" style={{ marginLeft: 8 }} title={t.items.calibratedHint} data-testid="item-calibrated-level">
                        {t.items.calibratedLevel(item.irt.level)}
                      </Tag>
                    )}
                  </>
                ) : (
                  t.items.notCalibrated
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t.items.createdAt}>{formatTime(latest.createdAt, lang)}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={t.items.knowledgePoints} size="small" style={{ marginTop: 16 }}>
            <Space direction="vertical" size={6} style={{ width: '100%' }} data-testid="item-kps">
              {item.knowledgePoints.map((code) => {
                const p = points.byCode.get(code);
                return (
                  <div key={code}>
                    <Tag color="blue" bordered={false}>
                      {code}
                    </Tag>
                    {p?.name}
                  </div>
                );
              })}
            </Space>
          </Card>
          <Card title={t.items.versions} size="small" style={{ marginTop: 16 }}>
            {versions.data?.length ? (
              <List
                size="small"
                data-testid="item-versions"
                dataSource={[...versions.data].reverse()}
                renderItem={(v) => {
                  const active = v.version === item.version;
                  return (
                    <List.Item
                      data-testid="item-version-row"
                      style={{ cursor: 'pointer', background: active ? '#e6f4ff' : undefined, borderRadius: 6, padding: '6px 8px' }}
                      onClick={() => setViewing(v.version === latest.version ? null : v.version)}
                    >
                      <Space direction="vertical" size={0}>
                        <Space size={6}>
                          <Typography.Text strong={active}>{t.items.versionN(v.version)}</Typography.Text>
                          {v.version === latest.version && (
                            <Tag color="blue" bordered={false}>
                              {t.items.current}
                            </Tag>
                          )}
                          {v.locked && (
                            <Tag color="warning" bordered={false} icon={<LockOutlined />}>
                              {t.items.lockedTag}
                            </Tag>
                          )}
                        </Space>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {formatTime(v.createdAt, lang)}
                        </Typography.Text>
                      </Space>
                    </List.Item>
                  );
                }}
              />
            ) : versions.loading ? (
              <Skeleton active paragraph={{ rows: 2 }} />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}
