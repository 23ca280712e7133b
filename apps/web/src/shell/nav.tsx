/** Navigation entries per role: the union over all of the user's role bindings. */
import type { ReactNode } from 'react';
import {
  ApartmentOutlined,
  AuditOutlined,
  BankOutlined,
  CloudUploadOutlined,
  ExperimentOutlined,
  IdcardOutlined,
  TeamOutlined,
  UserOutlined,
  AppstoreOutlined,
  HeartOutlined,
  BookOutlined,
  CheckSquareOutlined,
  FormOutlined,
  ScheduleOutlined,
  CompassOutlined,
  HeatMapOutlined,
  SafetyCertificateOutlined,
  CloudServerOutlined,
  KeyOutlined,
  BarChartOutlined,
  AccountBookOutlined,
  ThunderboltOutlined,
  UnorderedListOutlined,
  SafetyOutlined,
  AlertOutlined,
  DashboardOutlined,
  MedicineBoxOutlined,
  SolutionOutlined,
} from '@ant-design/icons';
import { DatabaseOutlined } from '@ant-design/icons';
import type { Me, Role } from '@zhijiao/server/api-types';
import type { Messages } from '../i18n';
import { REGION_ADMIN_ROLES } from './session';

export interface NavItem {
  path: string;
  label: string;
  icon: ReactNode;
  /** The sider group the entry belongs to (e.g. the AI hub), for a layout that groups entries. */
  group?: string;
}

export function navFor(me: Me, t: Messages): NavItem[] {
  const roles = new Set<Role>(me.roles.map((r) => r.role));
  const has = (...rs: Role[]) => rs.some((r) => roles.has(r));
  const items: NavItem[] = [];
  const add = (item: NavItem) => {
    if (!items.some((i) => i.path === item.path)) items.push(item);
  };
  const isTeacher = has('teacher', 'head_teacher');
  const isSchoolAdmin = has('school_admin');
  const isRegionAdmin = has(...REGION_ADMIN_ROLES);

  if (isRegionAdmin) add({ path: '/schools', label: t.nav.schools, icon: <BankOutlined /> });
  const cockpit = { path: '/cockpit', label: t.cockpit.nav, icon: <DashboardOutlined /> };
  if (has('county_admin', 'city_admin', 'province_admin')) add(cockpit);
  if (isSchoolAdmin || isTeacher) {
    add({
      path: '/classes',
      label: isSchoolAdmin ? t.nav.classes : t.nav.myClasses,
      icon: <AppstoreOutlined />,
    });
  }
  if (isRegionAdmin || isSchoolAdmin || isTeacher) add({ path: '/students', label: t.nav.students, icon: <TeamOutlined /> });
  if (isSchoolAdmin) add({ path: '/roster/import', label: t.nav.rosterImport, icon: <CloudUploadOutlined /> });
  if (has('parent')) add({ path: '/students', label: t.nav.myChildren, icon: <HeartOutlined /> });
  if (has('student')) {
    add({ path: '/my', label: t.nav.myInfo, icon: <IdcardOutlined /> });
    add({ path: '/companion', label: t.nav.companion, icon: <CompassOutlined /> });
    add({ path: '/homework', label: t.nav.homework, icon: <FormOutlined /> });
    add({ path: '/notebook', label: t.nav.notebook, icon: <BookOutlined /> });
    add({ path: '/my/portrait', label: t.portrait.nav.myPortrait, icon: <SolutionOutlined /> });
  }
  if (has('auditor', 'sysadmin')) add({ path: '/audit', label: t.nav.audit, icon: <AuditOutlined /> });
  if (has('researcher')) add({ path: '/research', label: t.nav.research, icon: <ExperimentOutlined /> });
  if (has('researcher')) add(cockpit);
  if (me.roles.some((r) => r.role !== 'student' && r.role !== 'parent'))
    add({ path: '/curriculum', label: t.nav.curriculum, icon: <ApartmentOutlined /> });
  if (has('teacher', 'head_teacher', 'school_admin', 'researcher', ...REGION_ADMIN_ROLES))
    add({ path: '/items', label: t.nav.items, icon: <DatabaseOutlined /> });
  if (isTeacher || isSchoolAdmin) add({ path: '/warning', label: t.warning.nav, icon: <AlertOutlined /> });
  if (isTeacher) {
    add({ path: '/assignments', label: t.nav.assignments, icon: <ScheduleOutlined /> });
    add({ path: '/review', label: t.nav.review, icon: <CheckSquareOutlined /> });
    add({ path: '/mastery', label: t.nav.mastery, icon: <HeatMapOutlined /> });
  }
  if (isTeacher || isSchoolAdmin) add({ path: '/checkup', label: t.portrait.nav.checkup, icon: <MedicineBoxOutlined /> });
  // AI hub (AI 中枢): region admins run all of it; a school admin registers its apps, holds keys, sees its
  // use, bill and call log, requests compute; an auditor reads registrations, use, bills and the call log.
  const isAuditor = has('auditor');
  if (isRegionAdmin || isSchoolAdmin || isAuditor) {
    const hub = (path: string, label: string, icon: ReactNode) => add({ path, label, icon, group: t.hub.nav.group });
    const admin = isRegionAdmin || isSchoolAdmin;
    hub('/hub/products', t.hub.nav.products, <SafetyCertificateOutlined />);
    if (isRegionAdmin) hub('/hub/nodes', t.hub.nav.nodes, <CloudServerOutlined />);
    if (admin) hub('/hub/keys', t.hub.nav.keys, <KeyOutlined />);
    hub('/hub/usage', t.hub.nav.usage, <BarChartOutlined />);
    hub('/hub/statements', t.hub.nav.statements, <AccountBookOutlined />);
    if (admin) hub('/hub/compute-requests', t.hub.nav.compute, <ThunderboltOutlined />);
    hub('/hub/calls', t.hub.nav.calls, <UnorderedListOutlined />);
    if (isRegionAdmin) hub('/hub/guardrails', t.hub.nav.guardrails, <SafetyOutlined />);
  }
  add({ path: '/profile', label: t.nav.profile, icon: <UserOutlined /> });
  return items;
}

/** Where to land after sign-in: the first navigation entry. */
export function homePath(me: Me, t: Messages): string {
  return navFor(me, t)[0]?.path ?? '/profile';
}

/** Is a client route available to this user at all (otherwise: forbidden page)? */
export function routeAllowed(me: Me, t: Messages, pathname: string): boolean {
  if (pathname === '/forbidden') return true;
  // The exam report is reached from the cockpit by school and region admins (the API gives them aggregates only).
  if (/^\/assignments\/[^/]+\/report$/.test(pathname) && me.roles.some((r) => ['school_admin', 'county_admin', 'city_admin', 'province_admin'].includes(r.role))) return true;
  const items = navFor(me, t);
  return items.some((i) => pathname === i.path || pathname.startsWith(`${i.path}/`));
}
