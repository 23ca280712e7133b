/** HTTP routes of the region cockpit. Thin: parse, call, shape. */
import { requirePrincipal, type App } from '../../platform/http/app.js';
import type { Cockpit } from './cockpit.js';
import { CockpitQuery, CockpitTrace, CockpitView, TraceQuery } from './cockpit-schema.js';

export function cockpitRoutes(app: App, c: Cockpit) {
  const tags = ['analytics'];
  app.get(
    '/api/analytics/cockpit',
    {
      schema: {
        tags,
        summary:
          'Region cockpit (county/city/province admins, researchers; own subtree): participation per school, mastery by subject and knowledge point across schools, the AI regular-use KPI against the targets. Aggregates only; groups under 5 suppressed',
        querystring: CockpitQuery,
        response: { 200: CockpitView },
      },
    },
    async (req) => c.overview(requirePrincipal(req), req.query),
  );
  app.get(
    '/api/analytics/cockpit/trace',
    {
      schema: {
        tags,
        summary: 'The rows behind a cockpit figure (participation: per class; mastery cell: per assignment and week; AI use: per week and per weeks used). Counts only, never names',
        querystring: TraceQuery,
        response: { 200: CockpitTrace },
      },
    },
    async (req) => c.trace(requirePrincipal(req), req.query),
  );
}
