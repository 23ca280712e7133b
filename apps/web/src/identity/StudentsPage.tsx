import { useEffect, useState } from 'react';
import { Card, Input, Select, Space } from 'antd';
import { useSearchParams } from 'react-router';
import type { ClassSummary, PageOf, SchoolSummary, StudentSummary } from '@zhijiao/server/api-types';
import { useI18n } from '../i18n';
import { query } from '../shell/api';
import { useApi } from '../shell/useApi';
import { ApiErrorView } from '../shell/ApiErrorView';
import { PageHeader } from '../shell/PageHeader';
import { hasRole, REGION_ADMIN_ROLES, useSession } from '../shell/session';
import { StudentsTable } from './StudentsTable';
import { classLabel } from './format';

export function StudentsPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const schoolId = params.get('schoolId') ?? undefined;
  const classId = params.get('classId') ?? undefined;
  const page = Number(params.get('page') ?? '1') || 1;
  const pageSize = Number(params.get('pageSize') ?? '20') || 20;
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);

  const staff = hasRole(me, 'teacher', 'head_teacher', 'school_admin', ...REGION_ADMIN_ROLES);
  const regionAdmin = hasRole(me, ...REGION_ADMIN_ROLES);
  const parentOnly = hasRole(me, 'parent') && !staff;

  const schools = useApi<SchoolSummary[]>(regionAdmin ? '/api/schools' : null);
  const classes = useApi<ClassSummary[]>(staff ? '/api/classes' : null);
  const list = useApi<PageOf<StudentSummary>>(`/api/students${query({ q, schoolId, classId, page, pageSize })}`);

  const update = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: false });
  };

  if (list.error) return <ApiErrorView error={list.error} />;

  const classOptions = (classes.data ?? [])
    .filter((c) => !schoolId || c.schoolId === schoolId)
    .map((c) => ({
      value: c.id,
      label: regionAdmin && !schoolId ? `${c.schoolName} ${classLabel(c)}` : classLabel(c),
    }));
  const multiSchool = new Set((list.data?.items ?? []).map((s) => s.schoolId)).size > 1 || regionAdmin;

  return (
    <>
      <PageHeader
        title={parentOnly ? t.students.childrenTitle : t.students.title}
        subtitle={list.data ? t.common.total(list.data.total) : undefined}
      />
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            allowClear
            data-testid="students-search"
            placeholder={t.students.searchPlaceholder}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onSearch={(v) => update({ q: v.trim() || undefined, page: undefined })}
            style={{ width: 280 }}
            enterButton={t.common.search}
          />
          {regionAdmin && (
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t.students.schoolFilter}
              style={{ width: 260 }}
              value={schoolId}
              loading={schools.loading}
              options={(schools.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
              onChange={(v?: string) => update({ schoolId: v, classId: undefined, page: undefined })}
            />
          )}
          {staff && classOptions.length > 0 && (
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder={t.students.classFilter}
              style={{ width: 240 }}
              value={classId}
              loading={classes.loading}
              options={classOptions}
              onChange={(v?: string) => update({ classId: v, page: undefined })}
            />
          )}
        </Space>
        <StudentsTable
          students={list.data?.items ?? []}
          loading={list.loading}
          showSchool={multiSchool}
          pagination={{
            current: list.data?.page ?? page,
            pageSize: list.data?.pageSize ?? pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (n) => t.common.total(n),
            onChange: (p, ps) => update({ page: String(p), pageSize: String(ps) }),
          }}
        />
      </Card>
    </>
  );
}
