import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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
}

/** Starts `test/redis/instance.ts` with `env` on `port`; resolves once it listens. */
export function startInstance(port: number, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/redis/instance.ts'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /LISTENING (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) => reject(new Error(`instance ${env.INSTANCE ?? ''} exited with ${code}`)));
  });
}

/** Stops instances and waits for them to exit. */
export async function stopInstances(instances: Instance[]): Promise<void> {
  for (const { child } of instances) child.kill('SIGTERM');
  await Promise.all(
    instances.map(
      ({ child }) =>
        new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve))),
    ),
  );
}
