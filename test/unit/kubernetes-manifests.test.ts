// deploy/kubernetes/: every manifest parses, validates against the Kubernetes OpenAPI schemas (kubernetes-models),
// has no field Kubernetes does not know, and the probes ask routes the app really serves. No cluster here: nothing
// is applied.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { AppDeps } from '../../src/http/env';
import { repoRoot } from '../support/authgate-process';
import { baseTestEnv } from '../support/harness';

const dir = join(repoRoot, 'deploy/kubernetes');
const KUSTOMIZATION = 'kustomization.yaml';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [field: string]: unknown;
}

// One model class per apiVersion/kind we ship; a manifest of any other kind fails the test until it is added here.
const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1/Job': Job,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

function parseManifests(file: string, text = readFileSync(join(dir, file), 'utf8')): Manifest[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    return document.toJSON() as Manifest;
  });
}

/** Throws with the schema's complaint when the manifest is not a valid object of its kind. */
function validate(manifest: Manifest): void {
  const Model = models[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) throw new Error(`no schema wired for ${manifest.apiVersion} ${manifest.kind}`);
  new Model(manifest as never).validate();
}

/**
 * tsc's complaints about the manifests typed as kubernetes-models' interfaces ('' when none). The schemas accept
 * unknown fields (Kubernetes' OpenAPI allows them), but an object literal's excess-property check does not: a
 * misspelt `livenesProbe` is reported here, as `kubectl apply` with strict field validation would reject it.
 */
function unknownFields(list: Manifest[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'authgate-k8s-types-'));
  try {
    const lines = list.map((manifest, index) => {
      const module = join(repoRoot, 'node_modules/kubernetes-models', manifest.apiVersion, `${manifest.kind}.js`);
      return `import type { I${manifest.kind} as T${index} } from ${JSON.stringify(module)};\nexport const m${index}: T${index} = ${JSON.stringify(manifest)};`;
    });
    writeFileSync(join(dir, 'manifests.ts'), lines.join('\n'));
    const compilerOptions = { strict: true, noEmit: true, module: 'ESNext', moduleResolution: 'Bundler', skipLibCheck: true, types: [] };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['manifests.ts'] }));
    const run = spawnSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    return `${run.stdout}${run.stderr}`.trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const files = readdirSync(dir).filter((name) => name.endsWith('.yaml') && name !== KUSTOMIZATION);
const manifests = files.flatMap((file) => parseManifests(file).map((manifest) => ({ file, manifest })));
const find = (kind: string) => manifests.filter(({ manifest }) => manifest.kind === kind).map(({ manifest }) => manifest);

describe('the Kubernetes manifests', () => {
  it.each(files)('%s is valid against the Kubernetes schemas', (file) => {
    for (const manifest of parseManifests(file)) expect(() => validate(manifest)).not.toThrow();
  });

  it('are rejected when a field has the wrong type (the validation can fail)', () => {
    const text = readFileSync(join(dir, 'deployment.yaml'), 'utf8').replace(/replicas: 2/, 'replicas: two');
    expect(text).toContain('replicas: two');
    expect(() => validate(parseManifests('deployment.yaml', text)[0]!)).toThrow(/replicas/);
  });

  it('have no field the Kubernetes types do not know', () => {
    expect(unknownFields(manifests.map(({ manifest }) => manifest))).toBe('');
  });

  it('are rejected when a field name is misspelt (the field check can fail)', () => {
    const text = readFileSync(join(dir, 'deployment.yaml'), 'utf8').replace('livenessProbe:', 'livenesProbe:');
    expect(unknownFields(parseManifests('deployment.yaml', text))).toMatch(/livenesProbe\W* does not exist in type 'IContainer'/);
  });

  it('cover a Deployment, Service, HorizontalPodAutoscaler, migration Job and Secret template, all listed by kustomization.yaml but the Secret', () => {
    expect(manifests.map(({ manifest }) => manifest.kind).sort()).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'Job', 'Secret', 'Service']);
    const kustomization = parseManifests(KUSTOMIZATION)[0] as unknown as { resources: string[] };
    const secretFile = manifests.find(({ manifest }) => manifest.kind === 'Secret')!.file;
    expect(secretFile).toBe('secret.example.yaml');
    expect(kustomization.resources.sort()).toEqual(files.filter((file) => file !== secretFile).sort());
  });

  it('probe paths the app serves: liveness /health, readiness /health/ready', () => {
    const config = loadConfig({ ...baseTestEnv }, 'node');
    // Building the route table reads only deps.config and the mailer's kind (the dev mailbox adds /dev routes);
    // nothing else is touched until a request arrives.
    const routes = createApp({ config, mailer: { kind: 'smtp' } } as unknown as AppDeps).routes.filter((route) => route.method === 'GET').map((route) => route.path);
    const container = new Deployment(find('Deployment')[0] as never).spec!.template.spec!.containers[0]!;
    expect(container.livenessProbe?.httpGet?.path).toBe('/health');
    expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(routes).toContain(probe?.httpGet?.path);
    }
  });

  it('run the server and the migration Job as non-root on a read-only root file system, with resource limits', () => {
    for (const workload of [...find('Deployment'), ...find('Job')]) {
      const pod = new Job(workload as never).spec!.template.spec!;
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      for (const container of pod.containers) {
        expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.resources?.requests).toBeDefined();
        expect(container.resources?.limits).toBeDefined();
        expect(container.command?.join(' ')).toMatch(/^node .*dist\/node\/(server|migrate)\.mjs$/);
      }
    }
  });

  it('take DATABASE_URL, REDIS_URL, JWT_PRIVATE_KEY and MFA_ENCRYPTION_KEY from the Secret that secret.example.yaml templates', () => {
    const secret = find('Secret')[0] as Manifest & { stringData: Record<string, string> };
    const container = new Deployment(find('Deployment')[0] as never).spec!.template.spec!.containers[0]!;
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'JWT_PRIVATE_KEY', 'MFA_ENCRYPTION_KEY']) {
      const ref = container.env?.find((variable) => variable.name === name)?.valueFrom?.secretKeyRef;
      expect(ref, name).toMatchObject({ name: secret.metadata.name, key: name });
      expect(ref?.optional, name).not.toBe(true);
      expect(Object.keys(secret.stringData)).toContain(name);
    }
  });
});
