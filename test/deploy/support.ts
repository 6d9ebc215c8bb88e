/**
 * Building the kustomize overlays with the real `kubectl kustomize` and reading the objects it prints, each
 * validated against its Kubernetes / Prometheus Operator schema (kubernetes-models).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../support/harness';

export const DEPLOY = path.join(ROOT, 'deploy', 'kubernetes');

/** A kind the manifests may contain, and the model that validates it. */
const MODELS = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
} as const;

type Models = typeof MODELS;
export type KindKey = keyof Models;
/** A built object, typed by its kind. */
export type Built<K extends KindKey> = InstanceType<Models[K]>;

export interface Build {
  /** Every object, as kubectl printed it. */
  objects: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>;
  /** The objects of one kind (typed). */
  all<K extends KindKey>(kind: K): Array<Built<K>>;
  /** The one object of a kind; throws unless there is exactly one. */
  one<K extends KindKey>(kind: K): Built<K>;
}

let checked = false;

/** kubectl must be there, with a kustomize that knows components and targeted patches (v5: kubectl >= 1.27). */
function checkKubectl(): void {
  if (checked) return;
  let version: { kustomizeVersion?: string };
  try {
    version = JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('kubectl not found: the deploy tests build the overlays with `kubectl kustomize` (kubectl >= 1.27)');
    }
    throw err;
  }
  const major = Number(/^v?(\d+)\./.exec(version.kustomizeVersion ?? '')?.[1]);
  if (!(major >= 5)) {
    throw new Error(`kubectl's kustomize is ${version.kustomizeVersion ?? 'unknown'}: deploy/kubernetes needs kustomize v5 (kubectl >= 1.27)`);
  }
  checked = true;
}

/** `kubectl kustomize` of a folder (relative to deploy/kubernetes unless absolute). Missing kubectl is a failure. */
export function kustomize(dir: string): Build {
  checkKubectl();
  let out: string;
  try {
    out = execFileSync('kubectl', ['kustomize', path.resolve(DEPLOY, dir)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${e.stderr ?? e.message}`);
  }
  const objects = parseAllDocuments(out).map((d) => d.toJSON() as Build['objects'][number]);
  const typed = objects.map((o) => {
    const key = `${o.apiVersion}/${o.kind}`;
    if (!(key in MODELS)) throw new Error(`${dir}: unexpected ${key} ${o.metadata.name}`);
    const Model = MODELS[key as KindKey] as unknown as new (data: unknown) => { validate(): void };
    return { key, model: new Model(o) };
  });
  const all = <K extends KindKey>(kind: K) => typed.filter((t) => t.key === kind).map((t) => t.model as Built<K>);
  return {
    objects,
    all,
    one<K extends KindKey>(kind: K) {
      const found = all(kind);
      if (found.length !== 1) throw new Error(`${dir}: ${found.length} objects of ${kind}, expected 1`);
      return found[0];
    },
  };
}

/** Validates every object against its schema; returns the problems (none: an empty list). */
export function schemaProblems(build: Build): string[] {
  const problems: string[] = [];
  for (const o of build.objects) {
    const Model = MODELS[`${o.apiVersion}/${o.kind}` as KindKey] as unknown as new (data: unknown) => { validate(): void };
    try {
      new Model(o).validate();
    } catch (err) {
      problems.push(`${o.kind} ${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** A temporary folder for the tests of the enclosing describe block, removed after them. */
export function useTempDir(prefix: string): () => string {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
