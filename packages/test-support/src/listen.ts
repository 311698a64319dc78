import { createServer, type RequestListener } from 'node:http';
import { afterEach } from 'vitest';

/** An app served on 127.0.0.1. */
export interface Listening {
  url: string;
  close(): Promise<void>;
}

const running = new Set<() => Promise<void>>();
afterEach(async () => {
  await Promise.all([...running].map((close) => close()));
  running.clear();
});

/**
 * Serves a Node request listener (an Express app, `koaApp.callback()`) on an ephemeral port of
 * 127.0.0.1 until the end of the test (or `close()`).
 */
export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not on TCP');
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    });
    return closed;
  };
  running.add(close);
  return { url: `http://127.0.0.1:${address.port}`, close };
}
