// The Kubernetes manifests in deploy/kubernetes/ validate against the Kubernetes object schemas (kubernetes-models),
// offline, and hold what the design relies on.
import fs from 'node:fs';
import path from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob } from 'kubernetes-models/batch/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const DIR = path.join(__dirname, '..', '..', 'deploy', 'kubernetes');

/** Every document of every manifest, as plain objects. */
function documents(): Array<{ file: string; doc: Record<string, unknown> }> {
  return fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(fs.readFileSync(path.join(DIR, file), 'utf8')).map((d) => {
        expect(d.errors).toEqual([]);
        return { file, doc: d.toJSON() as Record<string, unknown> };
      }),
    );
}

const MODELS: Record<string, { validate(): void } & (new (data: never) => { validate(): void })> = {
  'apps/v1/Deployment': Deployment as never,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as never,
  'batch/v1/CronJob': CronJob as never,
  'v1/ConfigMap': ConfigMap as never,
  'v1/Service': Service as never,
};

test.each(documents().map((d) => [`${d.file}: ${String(d.doc.kind)}`, d.doc] as const))(
  '%s validates against its Kubernetes schema',
  (_name, doc) => {
    const Model = MODELS[`${String(doc.apiVersion)}/${String(doc.kind)}`];
    expect(Model).toBeDefined();
    expect(() => new Model!(doc as never).validate()).not.toThrow();
  },
);

test('a manifest that breaks the schema is refused (the validation can fail)', () => {
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } };
  expect(() => new Deployment(bad as never).validate()).toThrow();
});

test('the similarity run is an Indexed Job whose shard count matches its completions, from a CronJob', () => {
  const cron = documents().find((d) => d.doc.kind === 'CronJob')!.doc as unknown as CronJob;
  const job = cron.spec!.jobTemplate.spec!;
  expect(job.completionMode).toBe('Indexed');
  expect(job.backoffLimitPerIndex).toBeGreaterThan(0);
  const container = job.template.spec!.containers[0]!;
  const shards = container.env!.find((e) => e.name === 'SHARDS')!.value;
  expect(String(job.completions)).toBe(shards);
  expect(String(job.parallelism)).toBe(shards);
  expect(container.command).toEqual(expect.arrayContaining(['--shard', '$(JOB_COMPLETION_INDEX)/$(SHARDS)', '--run']));
});

test('the API is probed on /readyz and /healthz, scaled on CPU, and reads its password from a Secret', () => {
  const docs = documents().map((d) => d.doc);
  const api = docs.find((d) => d.kind === 'Deployment') as unknown as Deployment;
  const c = api.spec!.template.spec!.containers[0]!;
  expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
  expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
  expect(c.env!.find((e) => e.name === 'NEO4J_PASSWORD')?.valueFrom?.secretKeyRef?.name).toBe('similar-users-neo4j');
  const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler') as unknown as HorizontalPodAutoscaler;
  expect(hpa.spec!.scaleTargetRef.name).toBe(api.metadata!.name);
  expect(hpa.spec!.metrics![0]!.resource!.name).toBe('cpu');
});
