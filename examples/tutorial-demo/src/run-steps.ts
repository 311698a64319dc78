import type { DemoContext } from './demo-context.ts';
import { StepSkipped, StepFailed, type DemoStep, type StepResult } from './step.ts';
import { StepLog } from './step-log.ts';

/**
 * Runs `steps` in order, each under its heading, and returns what each did. A step whose `needs`
 * did not pass is skipped (its tokens do not exist); an error ends only its own step.
 */
export async function runSteps(
  steps: readonly DemoStep[],
  context: DemoContext,
  write: (text: string) => void,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let tutorialNumber = 0;
  for (const step of steps) {
    const label = step.section === 'tutorial' ? `${++tutorialNumber}.` : 'Optional:';
    write(`\n== ${label} ${step.title}\n`);
    const log = new StepLog((line) => write(`  ${line}\n`));
    const result = await runStep(step, context, log, results);
    results.push(result);
    write(`  ${statusLine(result)}\n`);
  }
  return results;
}

async function runStep(
  step: DemoStep,
  context: DemoContext,
  log: StepLog,
  earlier: readonly StepResult[],
): Promise<StepResult> {
  const base = { id: step.id, title: step.title, lines: log.lines };
  for (const id of step.needs ?? []) {
    const needed = earlier.find((result) => result.id === id);
    if (needed?.status !== 'ok') {
      const outcome =
        needed === undefined
          ? 'did not run'
          : needed.status === 'failed'
            ? 'failed'
            : 'was skipped';
      return {
        ...base,
        status: 'skipped',
        reason: `needs "${needed?.title ?? id}", which ${outcome}`,
      };
    }
  }
  try {
    await step.run(context, log);
    return { ...base, status: 'ok' };
  } catch (error) {
    if (error instanceof StepSkipped) return { ...base, status: 'skipped', reason: error.message };
    return { ...base, status: 'failed', reason: describeError(error) };
  }
}

/**
 * Why a step failed. ropkit's token errors never carry a secret in their message (core's
 * guarantee), so messages are shown as they are.
 */
function describeError(error: unknown): string {
  if (error instanceof StepFailed) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function statusLine(result: StepResult): string {
  if (result.status === 'ok') return 'ok';
  if (result.status === 'failed') return `FAILED: ${result.reason ?? 'no reason given'}`;
  return `skipped: ${result.reason ?? 'no reason given'}`;
}
