import type { Server } from 'node:http';

/** Listens on an ephemeral port of 127.0.0.1 and resolves to the base URL. */
export function listenOnLoopback(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('not on TCP'));
      else resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}
