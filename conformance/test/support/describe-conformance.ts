import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ConformanceRun,
  runtimeFromEnvironment,
  type AdapterUnderTest,
} from '../../src/index.js';

/**
 * Every scenario of the catalogue as one vitest test, against one adapter and its own mock
 * server (a container when ROPKIT_CONFORMANCE_RUNTIME=container or Docker answers).
 */
export function describeConformance(adapter: AdapterUnderTest): void {
  describe(`conformance: ${adapter.name}`, () => {
    let run: ConformanceRun;
    beforeAll(async () => {
      run = await ConformanceRun.start(adapter, { runtime: runtimeFromEnvironment() });
    });
    afterAll(async () => {
      await run?.close();
    });
    for (const scenario of CATALOGUE) {
      it(`${scenario.id} ${scenario.name}`, async (context) => {
        const result = await run.run(scenario);
        if (result.outcome === 'skip') context.skip(result.reason);
        // On failure the diff shows the reason: what was expected and what came.
        expect({ outcome: result.outcome, reason: result.reason }).toEqual({
          outcome: 'pass',
          reason: undefined,
        });
      });
    }
  });
}
