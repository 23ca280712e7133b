/** Pieces the hub pages share: scope pickers (regions and schools), status and band tags, role checks. */
import { useMemo, type CSSProperties, type HTMLAttributes, type ReactNode } from 'react';
import { Card, Col, Row, Statistic, Tag, TreeSelect, Typography } from 'antd';
import dayjs from 'dayjs';
import { useI18n } from '../i18n';
import { useApi } from '../shell/useApi';
import type { Role } from '@zhijiao/server/api-types';
import { REGION_ADMIN_ROLES, useSession } from '../shell/session';
import { regionValue, schoolValue, scopeTreeData, treeValues, type ApprovalState, type ProductStatus, type ScopeRegion, type ScopeTree } from './model';
import './hub.css';

/**
 * What the signed-in user may do in the hub, by role, mirroring the server's HUB_PERMISSIONS
 * (apps/server/src/modules/hub/policies.ts) so that the pages offer only what will be allowed.
 * The server stays the judge: anything else still comes back as a 403 and is shown as such.
 */
export function useHubCan() {
  const { me } = useSession();
  return useMemo(() => {
    const roles = me?.roles ?? [];
    const has = (...rs: Role[]) => roles.some((r) => rs.includes(r.role));
    return {
      /** Models, nodes, lexicon and guardrail policies. */
      registryManage: has('province_admin', 'sysadmin'),
      review: has(...REGION_ADMIN_ROLES),
      quotaManage: has(...REGION_ADMIN_ROLES),
      computeRequest: has('school_admin'),
      computeDecide: has(...REGION_ADMIN_ROLES),
      /** Module keys need a platform-wide (global) grant. */
      moduleKeys: roles.some((r) => r.scopeType === 'global' && (['sysadmin', 'school_admin', 'county_admin', 'city_admin', 'province_admin'] as Role[]).includes(r.role)),
      regionKeys: has(...REGION_ADMIN_ROLES),
      /** Decrypting a call's stored contents (audited). */
      callsContent: has('sysadmin', 'auditor'),
    };
  }, [me]);
}

export function useScopes() {
  return useApi<ScopeTree>('/api/hub/scopes');
}

export const formatDate = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD') : '');

function useTree(scopes: ScopeTree | undefined, mode: 'mixed' | 'school' | 'region') {
  const { t } = useI18n();
  return useMemo(() => {
    const title = (r: ScopeRegion) => (mode === 'school' ? r.name : `${r.name}（${t.hub.levels[r.level] ?? r.level}）`);
    const data = scopes ? scopeTreeData(scopes, mode, title) : [];
    const all = treeValues(data);
    // small trees open fully; a province's worth opens one level
    const expanded = all.length <= 60 ? all : data.map((n) => n.value);
    return { data, expanded };
  }, [scopes, mode, t]);
}

/**
 * Several regions and schools at once (approval scope). Each pick stands for itself: a region (which
 * covers every school under it, including schools added later) or one school. No checkbox
 * cascading on purpose — ticking every school of a region is not the same grant as the region.
 * Values are "r:<id>" / "s:<id>" (splitScopeValues turns them back into ids).
 */
export function ScopeMultiSelect(props: { value?: string[]; onChange?(v: string[]): void; scopes: ScopeTree | undefined; loading?: boolean; testId?: string }) {
  const { t } = useI18n();
  const tree = useTree(props.scopes, 'mixed');
  return (
    <TreeSelect
      value={props.value}
      onChange={(v: string[]) => props.onChange?.(v)}
      treeData={tree.data}
      treeDefaultExpandedKeys={tree.expanded}
      multiple
      showSearch
      treeNodeFilterProp="title"
      allowClear
      loading={props.loading}
      placeholder={t.hub.scopePlaceholder}
      maxTagCount={12}
      style={{ width: '100%' }}
      listHeight={360}
      data-testid={props.testId}
    />
  );
}

/** One school (or one region): plain ids in and out. */
export function ScopeSingleSelect(props: {
  kind: 'school' | 'region';
  value?: string | null;
  onChange?(v: string | null): void;
  scopes: ScopeTree | undefined;
  loading?: boolean;
  testId?: string;
  allowClear?: boolean;
  placeholder?: string;
  style?: CSSProperties;
}) {
  const { t } = useI18n();
  const tree = useTree(props.scopes, props.kind);
  const toValue = props.kind === 'school' ? schoolValue : regionValue;
  return (
    <TreeSelect
      value={props.value ? toValue(props.value) : undefined}
      onChange={(v: string | undefined) => props.onChange?.(v ? v.slice(2) : null)}
      treeData={tree.data}
      treeDefaultExpandedKeys={tree.expanded}
      showSearch
      treeNodeFilterProp="title"
      allowClear={props.allowClear}
      loading={props.loading}
      placeholder={props.placeholder ?? (props.kind === 'school' ? t.hub.schoolPlaceholder : t.hub.regionPlaceholder)}
      style={props.style ?? { width: '100%' }}
      listHeight={360}
      data-testid={props.testId}
    />
  );
}

const PRODUCT_STATUS_COLOR: Record<ProductStatus, string> = {
  submitted: 'processing',
  approved: 'success',
  changes_requested: 'warning',
  rejected: 'error',
  revoked: 'default',
};
export function ProductStatusTag({ status }: { status: ProductStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={PRODUCT_STATUS_COLOR[status]} data-testid="product-status" data-status={status}>
      {t.hub.productStatus[status] ?? status}
    </Tag>
  );
}

const APPROVAL_COLOR: Record<ApprovalState, string> = { active: 'success', expired: 'warning', revoked: 'default' };
export function ApprovalStateTag({ state }: { state: ApprovalState }) {
  const { t } = useI18n();
  return (
    <Tag color={APPROVAL_COLOR[state]} data-testid="approval-state" data-state={state}>
      {t.hub.approvalStates[state] ?? state}
    </Tag>
  );
}

/** Grade bands as tags; null means every band. */
export function BandTags({ bands }: { bands: readonly string[] | null }) {
  const { t } = useI18n();
  if (bands === null) return <Typography.Text type="secondary">{t.hub.allBands}</Typography.Text>;
  return (
    <span className="zj-hub-tags">
      {bands.map((b) => (
        <Tag key={b} bordered={false} color="geekblue">
          {t.hub.bands[b] ?? b}
        </Tag>
      ))}
    </span>
  );
}

/** A row of KPI cards. */
export function Kpis(props: { items: { key: string; title: ReactNode; value: ReactNode; raw?: number | string; suffix?: ReactNode; extra?: ReactNode; color?: string }[] }) {
  return (
    <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
      {props.items.map((k) => (
        <Col key={k.key} xs={12} md={8} xl={Math.max(4, Math.floor(24 / props.items.length))}>
          <Card size="small" className="zj-hub-kpi" data-testid={`kpi-${k.key}`} data-value={k.raw ?? ''}>
            <Statistic title={k.title} value={k.value as string} suffix={k.suffix} valueStyle={{ fontSize: 22, color: k.color }} />
            {k.extra && <div className="zj-hub-kpi-extra">{k.extra}</div>}
          </Card>
        </Col>
      ))}
    </Row>
  );
}

/** Table row props with data-* attributes for tests (antd's onRow type does not list them). */
export function rowProps(attrs: Record<string, string | number | boolean | null | undefined>, onClick?: () => void): HTMLAttributes<HTMLElement> {
  const data = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
  return { ...data, ...(onClick ? { onClick } : {}) } as HTMLAttributes<HTMLElement>;
}
