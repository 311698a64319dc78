import { describe, expect, it, vi } from 'vitest';
import { ConformanceRun, type AdapterUnderTest } from '../src/index.js';

/** Listening sockets and open connections of this process, by kind. */
function openSockets(): number {
  return process
    .getActiveResourcesInfo()
    .filter((kind) => kind === 'TCPServerWrap' || kind === 'TCPSocketWrap').length;
}

describe('ConformanceRun.start when the adapter cannot start', () => {
  it('rejects with the adapter error and leaves no server listening (the CLI would hang)', async () => {
    const broken: AdapterUnderTest = {
      name: 'broken',
      startTestApp: () => Promise.reject(new TypeError('"issuer" must use https')),
    };
    const before = openSockets();
    await expect(ConformanceRun.start(broken, { runtime: 'in-process' })).rejects.toThrow(
      '"issuer" must use https',
    );
    // The mock server and the downstream API were started before the app; both must be closed
    // (a closed handle leaves the list a few ticks later; an open one never does).
    await vi.waitFor(() => expect(openSockets()).toBe(before), { timeout: 2_000 });
  });
});
