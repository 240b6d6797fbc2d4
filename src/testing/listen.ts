import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/** A listening emulator: its base URL and a `close()` that also cuts hanging connections. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens on an ephemeral (or given) port of `host`, tracking sockets so `close()` never waits on a hang. */
export async function listenTracked(app: Express, port = 0, host = '127.0.0.1'): Promise<Listening> {
  const sockets = new Set<Socket>();
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(port, host, () => resolve(started));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    url: `http://${host}:${(server.address() as { port: number }).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
