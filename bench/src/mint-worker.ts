/**
 * Signs a range of benchmark tokens (RS256, with node:crypto: about 0.3 ms a token on one core)
 * and sends them back as one newline-separated buffer, transferred rather than copied.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { MintJob } from './tokens.ts';

const job = workerData as MintJob;
const key = createPrivateKey(job.privateKeyPem);
const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: job.kid })).toString(
  'base64url',
);
const lines: string[] = [];
for (let i = job.from; i < job.to; i++) {
  const payload = Buffer.from(
    JSON.stringify({
      iss: job.issuer,
      sub: `auth0|user-${i % 1000}`,
      aud: [job.audience, `${job.issuer}userinfo`],
      iat: job.iat,
      exp: job.exp,
      azp: 'bench-client',
      scope: 'openid read:sample',
      gty: 'password',
      jti: `${job.prefix}${i}`,
    }),
  ).toString('base64url');
  const input = `${header}.${payload}`;
  lines.push(`${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`);
}
const bytes = Buffer.from(lines.join('\n'), 'latin1');
const transfer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
parentPort?.postMessage(transfer, [transfer]);
