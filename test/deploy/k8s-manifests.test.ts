import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SANDBOX_CAPS } from './least-privilege.js';

/**
 * Offline validation of deploy/k8s against the Kubernetes API schemas (kubernetes-models and
 * @kubernetes-models/keda: the OpenAPI schemas of the API server, compiled to validators), plus
 * the policies the issue asks for: the fifth seed's autoscaler, queue-depth scaling of workers,
 * PodDisruptionBudgets, probes on real routes, NetworkPolicies and the least-privilege context.
 */
const require = createRequire(import.meta.url);
const DIR = path.resolve(import.meta.dirname, '../../deploy/k8s');
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: any };

/** apiVersion/kind -> the model module that validates it. */
const MODELS: Record<string, string> = {
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'v1/Service': 'kubernetes-models/v1/Service',
  'batch/v1/Job': 'kubernetes-models/batch/v1/Job',
  'autoscaling/v2/HorizontalPodAutoscaler': 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'keda.sh/v1alpha1/ScaledObject': '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
};

function validate(doc: Doc): void {
  const mod = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!mod) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  const Model = require(mod)[doc.kind] as new (d: Doc) => { validate(): void };
  new Model(doc).validate();
}

const kustomization = YAML.parse(fs.readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
const docs: Doc[] = kustomization.resources.flatMap((f) =>
  YAML.parseAllDocuments(fs.readFileSync(path.join(DIR, f), 'utf8')).map((d) => d.toJS() as Doc),
);
const find = (kind: string, name: string) => {
  const d = docs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!d) throw new Error(`${kind} ${name} missing`);
  return d;
};

describe('Kubernetes manifests (offline)', () => {
  it('lists every file of deploy/k8s in the kustomization, and every object passes its schema', () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(docs.length).toBeGreaterThanOrEqual(10);
    for (const d of docs) expect(() => validate(d), `${d.kind} ${d.metadata.name}`).not.toThrow();
  });

  it('the validator bites: a wrong type, a missing field or an unknown kind is refused', () => {
    const api = structuredClone(find('Deployment', 'muscode-api'));
    api.spec.replicas = 'two';
    expect(() => validate(api)).toThrow(/replicas must be integer/);
    const noName = structuredClone(find('Deployment', 'muscode-worker'));
    delete noName.spec.template.spec.containers[0].name;
    expect(() => validate(noName)).toThrow(/required property/);
    const so = structuredClone(find('ScaledObject', 'muscode-worker'));
    so.spec.triggers[0].metadata = 'x';
    expect(() => validate(so)).toThrow();
    expect(() => validate({ ...api, kind: 'Deploymnet' })).toThrow(/no schema/);
  });

  it('the API autoscaler follows the fifth seed: 2-10 replicas, CPU 70 %, memory 80 %, fast up, 5-minute stabilised down', () => {
    const hpa = find('HorizontalPodAutoscaler', 'muscode-api').spec;
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'muscode-api' });
    expect([hpa.minReplicas, hpa.maxReplicas]).toEqual([2, 10]);
    const target = (name: string) => hpa.metrics.find((m: any) => m.resource?.name === name)?.resource.target;
    expect(target('cpu')).toEqual({ type: 'Utilization', averageUtilization: 70 });
    expect(target('memory')).toEqual({ type: 'Utilization', averageUtilization: 80 });
    expect(hpa.behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    // "Doubles pods or adds 2 immediately": the larger of the two policies wins.
    expect(hpa.behavior.scaleUp.selectPolicy).toBe('Max');
    expect(hpa.behavior.scaleUp.policies).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Percent', value: 100 }),
      expect.objectContaining({ type: 'Pods', value: 2 }),
    ]));
    // "5-minute stabilization, removes 50 % or 1 pod gradually": the smaller wins.
    expect(hpa.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(hpa.behavior.scaleDown.selectPolicy).toBe('Min');
    expect(find('Deployment', 'muscode-api').spec.template.spec.containers[0].resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  });

  it('workers scale on the whole queue depth (fair lanes included), one worker per SANDBOX_SLOTS jobs', () => {
    const so = find('ScaledObject', 'muscode-worker').spec;
    expect(so.scaleTargetRef.name).toBe('muscode-worker');
    const trigger = so.triggers[0];
    expect(trigger.type).toBe('prometheus');
    // The metric the queue exports counts the per-user lanes too (BullMqQueue.depth()).
    expect(trigger.metadata.query).toContain('muscode_queue_jobs{state="waiting"}');
    expect(trigger.metadata.query).not.toMatch(/\bsum\(/); // every replica exports the same figure
    const slots = find('Deployment', 'muscode-worker').spec.template.spec.containers[0].env.find((e: any) => e.name === 'SANDBOX_SLOTS').value;
    expect(trigger.metadata.threshold).toBe(slots);
    expect(so.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(fs.readFileSync(path.resolve(import.meta.dirname, '../../src/system/metrics.ts'), 'utf8')).toContain("name: 'muscode_queue_jobs'");
  });

  it('has a PodDisruptionBudget per Deployment, probes on routes the code serves, and scrape annotations on the ports it listens on', () => {
    expect(find('PodDisruptionBudget', 'muscode-api').spec).toMatchObject({ minAvailable: 1 });
    expect(find('PodDisruptionBudget', 'muscode-worker').spec).toMatchObject({ maxUnavailable: 1 });
    const src = (f: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../../src', f), 'utf8');
    const api = find('Deployment', 'muscode-api').spec.template;
    const c = api.spec.containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/api/v1/health');
    expect(c.livenessProbe.httpGet.path).toBe('/api/v1/health/live');
    expect(src('system/routes.ts')).toContain("'/health/live'");
    expect(api.metadata.annotations['prometheus.io/port']).toBe(String(c.ports[0].containerPort));
    const worker = find('Deployment', 'muscode-worker').spec.template;
    const w = worker.spec.containers[0];
    expect(w.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(w.livenessProbe.httpGet.path).toBe('/health/live');
    expect(src('system/worker-metrics.ts')).toMatch(/route === '\/health\/ready'[\s\S]*route === '\/health\/live'|route === '\/health\/live'[\s\S]*route === '\/health\/ready'/);
    const metricsPort = w.env.find((e: any) => e.name === 'WORKER_METRICS_PORT').value;
    expect(worker.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': metricsPort, 'prometheus.io/path': '/metrics' });
    expect(String(w.ports[0].containerPort)).toBe(metricsPort);
  });

  it('gives workers no egress but PostgreSQL, Redis and the DNS that names them', () => {
    const np = find('NetworkPolicy', 'muscode-worker').spec;
    expect(np.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': find('Deployment', 'muscode-worker').spec.template.metadata.labels['app.kubernetes.io/name'] });
    expect(np.policyTypes).toEqual(['Ingress', 'Egress']);
    const ports = np.egress.flatMap((r: any) => r.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(['TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53']);
    for (const rule of np.egress) expect(rule.to?.length, 'every egress rule names its peers').toBeGreaterThan(0);
  });

  it('runs API and worker pods with the least privilege that make image-test measured', () => {
    for (const name of ['muscode-api', 'muscode-worker']) {
      const pod = find('Deployment', name).spec.template.spec;
      const sc = pod.containers[0].securityContext;
      expect(pod.hostUsers, `${name}: a user namespace of its own`).toBe(false);
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'Localhost', localhostProfile: 'muscode/seccomp.json' });
      expect(sc.privileged).toBeUndefined();
      expect(sc.capabilities.drop).toEqual(['ALL']);
      expect([...sc.capabilities.add].sort()).toEqual([...SANDBOX_CAPS].sort());
      expect(sc.procMount).toBe('Unmasked');
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
    const job = find('Job', 'muscode-migrate').spec.template.spec.containers[0].securityContext;
    expect(job).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(job.capabilities.add).toBeUndefined();
  });
});
