import type { DemoContext } from './demo-context.ts';
import type { StepLog } from './step-log.ts';

/** How a step ended: it did what the tutorial says, it did not, or it could not be tried. */
export type StepStatus = 'ok' | 'failed' | 'skipped';

/** The seed tutorial's four steps, or one of its optional sections. */
export type StepSection = 'tutorial' | 'optional';

/**
 * One step of the tutorial, as data: `run` does the step against `context`, writes what it sent
 * and received to `log`, and returns when the step did what the tutorial says. It throws
 * {@link StepFailed} (or any other error) when it did not, and {@link StepSkipped} when the tenant
 * lacks the configuration the step needs.
 */
export interface DemoStep {
  /** A stable id, e.g. `request-tokens`. */
  readonly id: string;
  /** The tutorial's name for the step, printed as its heading. */
  readonly title: string;
  readonly section: StepSection;
  /** Ids of steps whose outcome this one builds on (their tokens): skipped unless they passed. */
  readonly needs?: readonly string[];
  run(context: DemoContext, log: StepLog): Promise<void>;
}

/** What a step did, for the summary, the exit code and the tests. */
export interface StepResult {
  readonly id: string;
  readonly title: string;
  readonly status: StepStatus;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  /** What it printed under its heading. */
  readonly lines: readonly string[];
}

/** The step ran but did not do what the tutorial says. */
export class StepFailed extends Error {
  override readonly name = 'StepFailed';
}

/** The step needs tenant configuration that was not given; not a failure. */
export class StepSkipped extends Error {
  override readonly name = 'StepSkipped';
}

/** Fails the step with `reason` unless `condition` holds. */
export function expectThat(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new StepFailed(reason);
}
