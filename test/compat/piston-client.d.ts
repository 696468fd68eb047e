/** piston-client 1.0.2 ships no types; what the tests use of it. */
declare module 'piston-client' {
  export interface PistonClient {
    runtimes(): Promise<unknown>;
    execute(language: string, code: string, config?: Record<string, unknown>): Promise<unknown>;
  }
  export function piston(opts?: { server?: string }): PistonClient;
  export default piston;
}
