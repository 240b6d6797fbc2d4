import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startSynergyFlowEmulator } from 'passport-synergyflow/testing';
import { createApp } from './app.js';

// OTEL_CONSOLE=1 npm start: the package's spans and metrics, printed (see telemetry.ts).
if (process.env.OTEL_CONSOLE === '1') await import('./telemetry.js');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? 'localhost';
const publicHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
const callbackURL = `http://${publicHost}:${port}/auth/callback`;
const sessionSecret = process.env.SESSION_SECRET ?? randomBytes(32).toString('hex');
const realClient = process.env.SYNERGYFLOW_CLIENT_ID && process.env.SYNERGYFLOW_CLIENT_SECRET;

const emulator = realClient
  ? undefined
  : await startSynergyFlowEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0) });
if (emulator) {
  emulator.registerClient({ clientID: 'example-client', clientSecret: 'example-secret', redirectURIs: [callbackURL] });
}
const app = createApp({
  clientID: realClient ? String(process.env.SYNERGYFLOW_CLIENT_ID) : 'example-client',
  clientSecret: realClient ? String(process.env.SYNERGYFLOW_CLIENT_SECRET) : 'example-secret',
  callbackURL: process.env.CALLBACK_URL ?? callbackURL,
  ...(emulator
    ? { baseURL: emulator.url, emulator }
    : process.env.SYNERGYFLOW_BASE_URL
      ? { baseURL: process.env.SYNERGYFLOW_BASE_URL }
      : {}),
  sessionSecret,
});
const server = app.listen(port, host, () => {
  const address = server.address() as AddressInfo;
  console.log(`App:      http://${publicHost}:${address.port}/`);
  if (emulator)
    console.log(
      `Emulator: ${emulator.url}/ (built-in SynergyFlow Pro emulator; set SYNERGYFLOW_CLIENT_ID and SYNERGYFLOW_CLIENT_SECRET to use the real provider)`,
    );
  else
    console.log(
      `Provider: ${process.env.SYNERGYFLOW_BASE_URL ?? 'https://testapp2.glances.com'} (real SynergyFlow Pro client ${process.env.SYNERGYFLOW_CLIENT_ID})`,
    );
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await Promise.all([new Promise((resolve) => server.close(resolve)), emulator?.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
