/** Providers and routes. */
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import zhCNLocale from 'antd/locale/zh_CN';
import enUSLocale from 'antd/locale/en_US';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { I18nProvider, useI18n } from '../i18n';
import { SessionProvider, useSession } from './session';
import { AppLayout } from './Layout';
import type { Me } from '@zhijiao/server/api-types';
import { homePath, routeAllowed } from './nav';
import { Forbidden } from './Forbidden';
import { LoginPage } from '../identity/LoginPage';
import { ClassesPage } from '../identity/ClassesPage';
import { ClassDetailPage } from '../identity/ClassDetailPage';
import { StudentsPage } from '../identity/StudentsPage';
import { StudentDetailPage } from '../identity/StudentDetailPage';
import { MyInfoPage } from '../identity/MyInfoPage';
import { SchoolsPage } from '../identity/SchoolsPage';
import { RosterImportPage } from '../identity/RosterImportPage';
import { ProfilePage } from '../identity/ProfilePage';
import { ResearchPage } from '../identity/ResearchPage';
import { AuditPage } from '../audit/AuditPage';
import { ItemsPage } from '../items/ItemsPage';
import { ItemDetailPage } from '../items/ItemDetailPage';
import { ItemEditorPage } from '../items/ItemEditorPage';
import { ItemImportPage } from '../items/ItemImportPage';
import { CurriculumPage } from '../curriculum/CurriculumPage';
import { AssignmentsPage } from '../assessment/AssignmentsPage';
import { AssignmentNewPage } from '../assessment/AssignmentNewPage';
import { AssignmentDetailPage } from '../assessment/AssignmentDetailPage';
import { ReportPage } from '../analytics/ReportPage';
import { ReviewPage } from '../assessment/ReviewPage';
import { HomeworkPage } from '../assessment/HomeworkPage';
import { AnswerPage } from '../assessment/AnswerPage';
import { LatestResultPage, StudentResultPage, TeacherSubmissionPage } from '../assessment/SubmissionPages';
import { NotebookPage } from '../assessment/NotebookPage';
import { CompanionPage } from '../learning/CompanionPage';
import { MasteryPage } from '../learning/MasteryPage';
import { TierPage } from '../learning/TierPage';
import { ProductsPage } from '../hub/ProductsPage';
import { ProductDetailPage } from '../hub/ProductDetailPage';
import { NodesPage } from '../hub/NodesPage';
import { KeysPage } from '../hub/KeysPage';
import { UsagePage } from '../hub/UsagePage';
import { StatementsPage } from '../hub/StatementsPage';
import { ComputeRequestsPage } from '../hub/ComputeRequestsPage';
import { CallsPage } from '../hub/CallsPage';
import { GuardrailsPage } from '../hub/GuardrailsPage';
import { WarningPage } from '../warning/WarningPage';
import { MyPortraitPage, PortraitPage } from '../analytics/PortraitPage';
import { CockpitPage } from '../analytics/CockpitPage';
import { CheckupPage } from '../analytics/CheckupPage';

function Loading() {
  return (
    <div className="zj-center">
      <Spin size="large" />
    </div>
  );
}

/** On /login while signed in: go back where the user wanted to go, else to their home page. */
function AfterLogin({ me, home }: { me: Me; home: string }) {
  const { t } = useI18n();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  const ok = !!from && from !== '/' && !from.startsWith('/login') && routeAllowed(me, t, new URL(from, window.location.origin).pathname);
  return <Navigate to={ok ? from : home} replace />;
}

function Routed() {
  const { me } = useSession();
  const { t } = useI18n();
  const location = useLocation();
  if (me === undefined) return <Loading />;
  if (me === null) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname + location.search }} />} />
      </Routes>
    );
  }
  const home = homePath(me, t);
  return (
    <Routes>
      <Route path="/login" element={<AfterLogin me={me} home={home} />} />
      <Route element={<AppLayout me={me} />}>
        <Route index element={<Navigate to={home} replace />} />
        <Route path="/classes" element={<ClassesPage />} />
        <Route path="/classes/:id" element={<ClassDetailPage />} />
        <Route path="/classes/:id/mastery" element={<MasteryPage />} />
        <Route path="/students" element={<StudentsPage />} />
        <Route path="/students/:id" element={<StudentDetailPage />} />
        <Route path="/students/:id/portrait" element={<PortraitPage />} />
        <Route path="/my/portrait" element={<MyPortraitPage />} />
        <Route path="/checkup" element={<CheckupPage />} />
        <Route path="/cockpit" element={<CockpitPage />} />
        <Route path="/my" element={<MyInfoPage />} />
        <Route path="/schools" element={<SchoolsPage />} />
        <Route path="/roster/import" element={<RosterImportPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="/research" element={<ResearchPage />} />
        <Route path="/curriculum" element={<CurriculumPage />} />
        <Route path="/items" element={<ItemsPage />} />
        <Route path="/items/new" element={<ItemEditorPage />} />
        <Route path="/items/import" element={<ItemImportPage />} />
        <Route path="/items/:id" element={<ItemDetailPage />} />
        <Route path="/items/:id/edit" element={<ItemEditorPage />} />
        <Route path="/assignments" element={<AssignmentsPage />} />
        <Route path="/assignments/new" element={<AssignmentNewPage />} />
        <Route path="/assignments/:id" element={<AssignmentDetailPage />} />
        <Route path="/assignments/:id/report" element={<ReportPage />} />
        <Route path="/assignments/:id/submissions/:submissionId" element={<TeacherSubmissionPage />} />
        <Route path="/review" element={<ReviewPage />} />
        <Route path="/homework" element={<HomeworkPage />} />
        <Route path="/homework/:id" element={<AnswerPage />} />
        <Route path="/homework/:id/result" element={<LatestResultPage />} />
        <Route path="/homework/:id/result/:submissionId" element={<StudentResultPage />} />
        <Route path="/notebook" element={<NotebookPage />} />
        <Route path="/companion" element={<CompanionPage />} />
        <Route path="/mastery" element={<MasteryPage />} />
        <Route path="/mastery/tiers" element={<TierPage />} />
        <Route path="/hub/products" element={<ProductsPage />} />
        <Route path="/hub/products/:id" element={<ProductDetailPage />} />
        <Route path="/hub/nodes" element={<NodesPage />} />
        <Route path="/hub/keys" element={<KeysPage />} />
        <Route path="/hub/usage" element={<UsagePage />} />
        <Route path="/hub/statements" element={<StatementsPage />} />
        <Route path="/hub/compute-requests" element={<ComputeRequestsPage />} />
        <Route path="/hub/calls" element={<CallsPage />} />
        <Route path="/hub/guardrails" element={<GuardrailsPage />} />
        <Route path="/warning" element={<WarningPage />} />
        <Route path="/profile" element={<ProfilePage />} />
        <Route path="/forbidden" element={<Forbidden />} />
        <Route path="*" element={<Navigate to={home} replace />} />
      </Route>
    </Routes>
  );
}

function Themed() {
  const { lang } = useI18n();
  return (
    <ConfigProvider
      locale={lang === 'zh-CN' ? zhCNLocale : enUSLocale}
      theme={{
        token: {
          colorPrimary: '#1677ff',
          borderRadius: 8,
          fontFamily:
            "-apple-system, BlinkMacSystemFont, 'Segoe UI', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', 'Helvetica Neue', Arial, sans-serif",
        },
      }}
    >
      <AntApp>
        <SessionProvider>
          <BrowserRouter>
            <Routed />
          </BrowserRouter>
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Themed />
    </I18nProvider>
  );
}
