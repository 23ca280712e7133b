/**
 * /warning (预警与考勤): for teachers, head teachers and school admins — the alert loop (verify,
 * follow up, close, dismiss; evidence traceable to the records), attendance entry and import, and
 * wellbeing referrals to a named person.
 */
import { Tabs } from 'antd';
import { useSearchParams } from 'react-router';
import { useI18n } from '../i18n';
import { PageHeader } from '../shell/PageHeader';
import { AlertsTab } from './AlertsTab';
import { AttendanceTab } from './AttendanceTab';
import { ReferralsTab } from './ReferralsTab';

export function WarningPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'alerts';
  return (
    <>
      <PageHeader title={t.warning.title} subtitle={t.warning.subtitle} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        destroyOnHidden
        items={[
          { key: 'alerts', label: t.warning.tabs.alerts, children: <AlertsTab /> },
          { key: 'attendance', label: t.warning.tabs.attendance, children: <AttendanceTab /> },
          { key: 'referrals', label: t.warning.tabs.referrals, children: <ReferralsTab /> },
        ]}
      />
    </>
  );
}
