/**
 * Pre-minted access tokens for the adapter benchmark: every token of a "distinct tokens" load is
 * sent exactly once, so they are signed ahead, on every core, before any server is measured.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** What one minting worker signs: tokens `from` (inclusive) to `to` (exclusive). */
export interface MintJob {
  privateKeyPem: string;
  kid: string;
  issuer: string;
  audience: string;
  iat: number;
  exp: number;
  /** Makes each token's `jti` unique across runs and pools. */
  prefix: string;
  from: number;
  to: number;
}

/**
 * Signs `count` distinct RS256 tokens (Auth0-shaped: `iss sub aud iat exp azp scope gty jti`,
 * about 800 characters each) on worker threads. Each token is a slice of one large string, so
 * half a million of them cost their characters and little more.
 */
export async function mintTokens(
  count: number,
  job: Omit<MintJob, 'from' | 'to'>,
): Promise<string[]> {
  const workers = Math.max(1, Math.min(availableParallelism(), 8));
  const size = Math.ceil(count / workers);
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const from = w * size;
      const to = Math.min(count, from + size);
      if (from >= to) return Promise.resolve('');
      return new Promise<string>((resolve, reject) => {
        const worker = new Worker(new URL('./mint-worker.ts', import.meta.url), {
          workerData: { ...job, from, to } satisfies MintJob,
        });
        worker.once('message', (message: ArrayBuffer) => {
          resolve(Buffer.from(message).toString('latin1'));
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
  return parts.filter((part) => part !== '').flatMap((part) => part.split('\n'));
}
