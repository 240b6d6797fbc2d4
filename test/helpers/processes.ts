import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { SynergyFlowEmulator } from 'passport-synergyflow/testing';
import { spawnChild } from './children.js';

/** A port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One app instance of `test/redis/instance.ts` in its own process. */
export interface Instance {
  child: ChildProcess;
  url: string;
  /** What it wrote to stderr, when started with `quiet` (otherwise stderr is the test's). */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
}

/** Options of {@link startInstance}. */
export interface InstanceOptions {
  /** Keep the instance's stderr (Redis reconnect lines) out of the test output. */
  quiet?: boolean;
}

/** Starts `test/redis/instance.ts` with `env` on `port`; resolves once it listens. */
export function startInstance(
  port: number,
  env: Record<string, string>,
  options: InstanceOptions = {},
): Promise<Instance> {
  const child = spawnChild(process.execPath, ['--import', 'tsx', 'test/redis/instance.ts'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', options.quiet ? 'pipe' : 'inherit'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-20_000);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1], stderr: () => errors, exited });
    });
    void exited.then((code) => reject(new Error(`instance ${env.INSTANCE ?? ''} exited with ${code}: ${errors}`)));
  });
}

/** True while the instance's process runs. */
export function alive(instance: Instance): boolean {
  return instance.child.exitCode === null && instance.child.signalCode === null;
}

/**
 * Stops instances (SIGTERM: their graceful shutdown) and waits for them to exit; one still
 * running after `graceMs` is killed, so a shutdown that hangs cannot leave a process behind.
 */
export async function stopInstances(instances: Instance[], graceMs = 15_000): Promise<void> {
  for (const instance of instances) if (alive(instance)) instance.child.kill('SIGTERM');
  await Promise.all(
    instances.map(async (instance) => {
      const timer = setTimeout(() => instance.child.kill('SIGKILL'), graceMs);
      await instance.exited;
      clearTimeout(timer);
    }),
  );
}

/** Options of {@link startInstancePair}. */
export interface InstancePairOptions {
  /** The provider both log in against; the pair's client is registered there. */
  emulator: Pick<SynergyFlowEmulator, 'url' | 'registerClient'>;
  redisUrl: string;
  clientID: string;
  clientSecret: string;
  /** TOKEN_KEY of both (64 hex digits). */
  tokenKey: string;
  /** INSTANCE of the two: `<name>-0` and `<name>-1`. */
  name: string;
  /** More environment of both (PROFILE_TTL, SESSION_TOKENS…). */
  env?: Record<string, string>;
}

/**
 * Starts two instances of `test/redis/instance.ts` on free ports, sharing Redis and one client
 * registration whose callback URL is the first instance's (a login goes through it).
 */
export async function startInstancePair(options: InstancePairOptions): Promise<[Instance, Instance]> {
  const ports = [await freePort(), await freePort()] as const;
  const callbackURL = `http://127.0.0.1:${ports[0]}/auth/callback`;
  const { clientID, clientSecret } = options;
  options.emulator.registerClient({ clientID, clientSecret, redirectURIs: [callbackURL] });
  const env = (i: number): Record<string, string> => ({
    REDIS_URL: options.redisUrl,
    PROVIDER_URL: options.emulator.url,
    CLIENT_ID: clientID,
    CLIENT_SECRET: clientSecret,
    CALLBACK_URL: callbackURL,
    TOKEN_KEY: options.tokenKey,
    INSTANCE: `${options.name}-${i}`,
    ...options.env,
  });
  return Promise.all([startInstance(ports[0], env(0)), startInstance(ports[1], env(1))]);
}
