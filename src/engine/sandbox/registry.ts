import { ErrorCodes, SystemError } from '../../errors.js';
import { type BwrapOptions, BwrapSandbox } from './bwrap.js';
import type { Sandbox } from './sandbox.js';

/**
 * Sandbox drivers by name. The engine asks for one by its configured name at startup, and an
 * unknown name stops startup: a typo must never fall back to something weaker.
 */
export type SandboxFactory = (opts: BwrapOptions) => Sandbox;

const drivers: Record<string, SandboxFactory> = {
  bwrap: (opts) => new BwrapSandbox(opts),
};

export function sandboxDriverNames(): string[] {
  return Object.keys(drivers);
}

export function createSandbox(name: string, opts: BwrapOptions): Sandbox {
  const factory = Object.hasOwn(drivers, name) ? drivers[name] : undefined;
  if (!factory) {
    throw new SystemError(
      ErrorCodes.unknownSandboxDriver,
      `unknown sandbox driver "${name}" (known: ${sandboxDriverNames().join(', ')})`,
    );
  }
  return factory(opts);
}
