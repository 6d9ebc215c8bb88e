import { apiMethods } from './api-methods';
import type { DashboardSpec } from './common';
import { modelInference } from './model-inference';
import { nodejsRuntime } from './nodejs-runtime';
import { serviceOverview } from './service-overview';
import { sloDashboard } from './slo';

/** Every dashboard, in the order Grafana lists them. */
export const DASHBOARDS: DashboardSpec[] = [serviceOverview, modelInference, apiMethods, nodejsRuntime, sloDashboard];

/** File name -> exact JSON text, as committed under dashboards/json/. */
export function renderDashboards(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of DASHBOARDS) out[`${d.file}.json`] = `${JSON.stringify(d.build(), null, 2)}\n`;
  return out;
}
