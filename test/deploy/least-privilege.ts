import fs from 'node:fs';
import path from 'node:path';

/**
 * The capabilities the sandbox needs in a container, as scripts/image/test.sh (`make image-test`)
 * measured them (each one taken away breaks a run): read from that script, so that the
 * Kubernetes manifests, docker-compose.yml and the documentation are checked against the list
 * that was measured, not against a copy.
 */
export const SANDBOX_CAPS: readonly string[] = (() => {
  const script = fs.readFileSync(path.resolve(import.meta.dirname, '../../scripts/image/test.sh'), 'utf8');
  const m = /^CAPS=\(([A-Z_ ]+)\)$/m.exec(script);
  if (!m) throw new Error('CAPS=(...) not found in scripts/image/test.sh');
  return m[1]!.trim().split(/\s+/);
})();
