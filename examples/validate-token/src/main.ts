/**
 * `pnpm example`: protects an API with @ropkit/core and calls it the way the Auth0 tutorial's
 * "Call API" step does, printing each answer. Exits 1 if any answer is not the expected one.
 */
import { walkthrough } from './walkthrough.ts';

const steps = await walkthrough();
let failures = 0;
for (const step of steps) {
  const ok = step.status === step.expectedStatus;
  if (!ok) failures++;
  process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${step.title}: HTTP ${step.status}\n`);
  if (step.wwwAuthenticate !== null)
    process.stdout.write(`     WWW-Authenticate: ${step.wwwAuthenticate}\n`);
  process.stdout.write(`     ${step.body}\n`);
}
process.exitCode = failures === 0 ? 0 : 1;
