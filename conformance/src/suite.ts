import { capabilitiesOf, profilesOf } from './adapter-definition.js';
import { CATALOGUE } from './catalogue/index.js';
import { oneLine } from './check.js';
import { kitInfo } from './kit-info.js';
import {
  ConformanceRun,
  DEFAULT_SCENARIO_TIMEOUT_MS,
  DEFAULT_START_TIMEOUT_MS,
  type ConformanceRunOptions,
  type IssuerAddress,
  type RunningServer,
  type ScenarioResult,
} from './runner.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from './http-client.js';
import type { AdapterUnderTest, Capability, Profile, Scenario } from './scenario.js';

/** How one adapter went: started or not, and its results. */
export interface AdapterReport {
  name: string;
  /** How it was given: `express`, `./my-adapter.js`, a URL. */
  target: string;
  /** Its app started, and the scenarios ran. */
  started: boolean;
  /** Why it did not start (or why its run broke off), on one line. */
  error?: string;
  /** Where the mock server ran for it. */
  runtime?: 'container' | 'in-process';
  capabilities: Capability[];
  /** `rfc` and the profiles it claims. */
  profiles: Profile[];
  wallTimeMs: number;
  results: ScenarioResult[];
}

/** Everything a run found, for the matrix and the reports. */
export interface SuiteReport {
  kit: { name: string; version: string };
  /** Node version and platform. */
  node: string;
  platform: string;
  /** Where the mock servers ran (`container`, `in-process`, or `mixed`). */
  runtime: string;
  /** ISO time the run started. */
  startedAt: string;
  wallTimeMs: number;
  options: {
    startTimeoutMs: number;
    requestTimeoutMs: number;
    scenarioTimeoutMs: number;
    strict: boolean;
    /** The scenarios run, when not all. */
    only?: string[];
  };
  adapters: AdapterReport[];
  /** Every scenario result of every adapter that started. */
  results: ScenarioResult[];
  /** Why the run as a whole failed before it could run the adapters (the reports say so). */
  error?: string;
}

/** One adapter to run: an adapter module, or a running server (`--url`). */
export type SuiteTarget =
  | { kind: 'adapter'; target: string; adapter: AdapterUnderTest }
  | {
      kind: 'url';
      target: string;
      server: RunningServer;
      issuer?: IssuerAddress;
      /**
       * Called once the kit's issuer is up, before the scenarios: to say what the server must
       * trust, and wait until it answers. A rejection means it did not start.
       */
      ready?: (run: ConformanceRun) => Promise<void>;
    };

/** What {@link runSuite} tells as it goes. */
export interface SuiteEvents {
  /** An adapter is starting (its mock server and app) and will run these scenarios. */
  starting?(name: string, scenarios: readonly Scenario[]): void;
  /** Its app is up. */
  started?(name: string, run: ConformanceRun): void;
  /** It did not start, with why. */
  failedToStart?(name: string, reason: string): void;
  /** One scenario's result. */
  result?(result: ScenarioResult): void;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions extends ConformanceRunOptions {
  /** The scenarios to run. Default: the whole catalogue. */
  scenarios?: readonly Scenario[];
  events?: SuiteEvents;
}

function nameOf(target: SuiteTarget): string {
  return target.kind === 'adapter' ? target.adapter.name : (target.server.name ?? target.target);
}

function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message : String(error));
}

/** An empty report (no adapter ran yet), to fill in or to write when setting up failed. */
export function emptyReport(options: SuiteOptions = {}): SuiteReport {
  const scenarios = options.scenarios ?? CATALOGUE;
  return {
    kit: kitInfo(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    runtime: options.runtime ?? 'auto',
    startedAt: new Date().toISOString(),
    wallTimeMs: 0,
    options: {
      startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      scenarioTimeoutMs: options.scenarioTimeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS,
      strict: options.strict ?? false,
      ...(scenarios.length === CATALOGUE.length ? {} : { only: scenarios.map((s) => s.id) }),
    },
    adapters: [],
    results: [],
  };
}

/**
 * Runs the scenarios against every target side by side, each with its own mock server. An
 * adapter that does not start (or breaks off) is reported as such; the others still run. Never
 * throws for an adapter's sake.
 */
export async function runSuite(
  targets: readonly SuiteTarget[],
  options: SuiteOptions = {},
): Promise<SuiteReport> {
  const report = emptyReport(options);
  const scenarios = options.scenarios ?? CATALOGUE;
  const events = options.events ?? {};
  const started = performance.now();
  report.adapters = await Promise.all(
    targets.map(async (target): Promise<AdapterReport> => {
      const name = nameOf(target);
      const adapterStarted = performance.now();
      const base: AdapterReport = {
        name,
        target: target.target,
        started: false,
        capabilities: [],
        profiles: ['rfc'],
        wallTimeMs: 0,
        results: [],
      };
      if (target.kind === 'adapter') {
        base.capabilities = [...capabilitiesOf(target.adapter)];
        base.profiles = [...profilesOf(target.adapter)];
      }
      events.starting?.(name, scenarios);
      let run: ConformanceRun;
      try {
        run =
          target.kind === 'adapter'
            ? await ConformanceRun.start(target.adapter, options)
            : await ConformanceRun.attach(target.server, target.issuer, options);
        if (target.kind === 'url' && target.ready !== undefined) {
          const attached = run;
          await target.ready(attached).catch(async (error: unknown) => {
            await attached.close().catch(() => undefined);
            throw error;
          });
        }
      } catch (error) {
        // `name: startTestApp threw ...`: the report names the adapter already.
        const message = messageOf(error);
        const reason = message.startsWith(`${name}: `) ? message.slice(name.length + 2) : message;
        events.failedToStart?.(name, reason);
        return { ...base, error: reason, wallTimeMs: performance.now() - adapterStarted };
      }
      base.started = true;
      base.runtime = run.server.runtime;
      base.capabilities = [...capabilitiesOf(run.adapter)];
      events.started?.(name, run);
      try {
        // Kept as they come, so a run that breaks off still reports what it found.
        await run.runAll(scenarios, (result) => {
          base.results.push(result);
          events.result?.(result);
        });
      } catch (error) {
        base.error = `the run broke off: ${messageOf(error)}`;
      } finally {
        try {
          await run.close();
        } catch (error) {
          base.error ??= `closing failed: ${messageOf(error)}`;
        }
      }
      return { ...base, wallTimeMs: performance.now() - adapterStarted };
    }),
  );
  report.results = report.adapters.flatMap((adapter) => adapter.results);
  const runtimes = new Set(
    report.adapters.flatMap((a) => (a.runtime === undefined ? [] : [a.runtime])),
  );
  report.runtime =
    runtimes.size === 1
      ? ([...runtimes][0] ?? report.runtime)
      : runtimes.size > 1
        ? 'mixed'
        : report.runtime;
  report.wallTimeMs = performance.now() - started;
  return report;
}

/** The exit code of a run: 1 when an adapter did not start or a failure is an `error`. */
export function exitCodeOf(report: SuiteReport): 0 | 1 {
  const broken = report.adapters.some((adapter) => !adapter.started || adapter.error !== undefined);
  const failed = report.results.some(
    (result) => result.outcome === 'fail' && result.severity === 'error',
  );
  return broken || failed ? 1 : 0;
}
