import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  ConformanceRun,
  emptyReport,
  formatMatrix,
  kitVerifierOptions,
  toJUnit,
  toJson,
  toMarkdown,
  type AdapterReport,
  type Scenario,
  type ScenarioResult,
  type SuiteReport,
} from '../src/index.js';
import { KIT_DPOP } from '../src/catalogue/dpop.js';
import { KIT_MTLS } from '../src/catalogue/mtls.js';
import { startTestApp as answers404 } from './fixtures/answers-404.ts';

const result = (
  adapterName: string,
  id: string,
  outcome: ScenarioResult['outcome'],
  extra: Partial<ScenarioResult> = {},
): ScenarioResult => {
  const found = scenarioOf(id);
  return {
    id,
    name: found.name,
    spec: found.spec,
    group: found.group,
    level: found.level,
    profile: found.profile,
    adapter: adapterName,
    outcome,
    ...(outcome === 'fail' ? { severity: 'error' as const } : {}),
    durationMs: 12,
    ...extra,
  };
};

function adapterReport(
  name: string,
  results: ScenarioResult[],
  extra: Partial<AdapterReport> = {},
) {
  return {
    name,
    target: name,
    started: true,
    capabilities: [],
    profiles: ['rfc' as const],
    wallTimeMs: 1234,
    results,
    ...extra,
  } satisfies AdapterReport;
}

function reportOf(adapters: AdapterReport[]): SuiteReport {
  const report = emptyReport();
  report.startedAt = '2025-01-02T03:04:05.000Z';
  report.wallTimeMs = 2500;
  report.runtime = 'in-process';
  report.adapters = adapters;
  report.results = adapters.flatMap((a) => a.results);
  return report;
}

function scenarioOf(id: string): Scenario {
  const found = CATALOGUE.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no scenario ${id}`);
  return found;
}

function weigh(run: ConformanceRun, id: string) {
  return run.severityOf(scenarioOf(id));
}

describe('the catalogue', () => {
  it('has unique stable ids, RFC 2119 names whose word is the level, a section and its words', () => {
    expect(CATALOGUE.length).toBe(158);
    expect(new Set(CATALOGUE.map((s) => s.id)).size).toBe(CATALOGUE.length);
    for (const scenario of CATALOGUE) {
      expect(scenario.name).toMatch(/^(MUST|MUST NOT|SHOULD|SHOULD NOT|MAY) /);
      expect(scenario.name.startsWith(scenario.level)).toBe(true);
      expect(scenario.spec.length).toBeGreaterThan(3);
      expect(scenario.words.length).toBeGreaterThan(10);
      expect(scenario.id).toMatch(/^[a-z]+-\d{2}$/);
      expect(scenario.requires.length).toBeGreaterThan(0);
    }
  });

  it('a standards scenario quotes its section (of an RFC or of OpenID Connect Core), and its level word is in the quote', () => {
    for (const scenario of CATALOGUE.filter((s) => s.profile === 'rfc')) {
      expect(scenario.spec).toMatch(/^(RFC \d+|OpenID Connect Core 1\.0) section/);
      // The level comes from the section's own words.
      expect({ id: scenario.id, words: scenario.words.includes(scenario.level) }).toEqual({
        id: scenario.id,
        words: true,
      });
    }
  });

  it('policy is apart: every profile scenario says whose policy it is', () => {
    for (const scenario of CATALOGUE.filter((s) => s.profile !== 'rfc'))
      expect(scenario.spec).toMatch(/^(ropkit|kit test-app contract|Auth0|.*OpenID)/);
  });
});

describe('reports', () => {
  const report = reportOf([
    adapterReport('express', [
      result('express', 'bearer-01', 'pass'),
      result('express', 'bearer-04', 'pass'),
      result('express', 'jwt-13', 'pass'),
      result('express', 'bearer-12', 'pass'),
    ]),
    adapterReport('a-third-party-adapter-with-a-long-name', [
      result('a-third-party-adapter-with-a-long-name', 'bearer-01', 'fail', {
        reason: 'sent GET /api/private with no credentials; expected a refusal; got 200',
      }),
      result('a-third-party-adapter-with-a-long-name', 'bearer-04', 'fail', {
        severity: 'warning',
        reason: '<b>"quoted"</b>',
      }),
      result('a-third-party-adapter-with-a-long-name', 'jwt-13', 'fail', { severity: 'info' }),
      result('a-third-party-adapter-with-a-long-name', 'bearer-12', 'skip', {
        reason: 'not supported',
      }),
    ]),
    adapterReport('never-starts', [], {
      started: false,
      error: 'startTestApp did not resolve within 10 ms',
    }),
  ]);

  it('prints a matrix by profile and level, with a legend when names are long, and every reason', () => {
    const text = formatMatrix(report);
    expect(text).toContain(
      'adapters: A = express, B = a-third-party-adapter-with-a-long-name, C = never-starts',
    );
    expect(text).toMatch(/^scenario {4}level {3}A {5}B {5}C {5}requirement$/m);
    expect(text).toContain('== Standards (RFC)');
    expect(text).toContain('== ropkit profile');
    expect(text).toMatch(/^bearer-01 {3}MUST {4}pass {2}FAIL {2}n\/a /m);
    expect(text).toMatch(/^bearer-04 {3}SHOULD {2}pass {2}warn {2}n\/a /m);
    expect(text).toMatch(/^jwt-13 {6}MAY {5}pass {2}no {4}n\/a /m);
    expect(text).toContain(
      'never-starts: did not start: startTestApp did not resolve within 10 ms',
    );
    expect(text).toContain(
      'FAIL a-third-party-adapter-with-a-long-name bearer-01: sent GET /api/private with no credentials; expected a refusal; got 200',
    );
    expect(text).toContain(
      '4 scenarios x 3 adapters: 4 passed, 1 failed, 1 warnings, 1 informational, 1 skipped; 1 adapter(s) did not start',
    );
  });

  it('the matrix keeps plain names as columns when they fit', () => {
    const text = formatMatrix([
      result('express', 'bearer-01', 'pass'),
      result('koa', 'bearer-01', 'pass'),
    ]);
    expect(text).toMatch(/^scenario {4}level {3}express {2}koa {6}requirement$/m);
  });

  it('JSON: kit version, runtime, start and wall time, per-adapter totals by profile and level', () => {
    const json = JSON.parse(toJson(report)) as Record<string, unknown> & {
      adapters: Array<Record<string, unknown>>;
    };
    expect(json).toMatchObject({
      kit: { name: '@ropkit/conformance', version: expect.any(String) },
      runtime: 'in-process',
      node: process.version,
      startedAt: '2025-01-02T03:04:05.000Z',
      wallTimeMs: 2500,
      exitCode: 1,
    });
    expect(json.adapters[1]).toMatchObject({
      name: 'a-third-party-adapter-with-a-long-name',
      started: true,
      wallTimeMs: 1234,
      totals: {
        rfc: {
          MUST: { pass: 0, fail: 1, skip: 0 },
          SHOULD: { pass: 0, fail: 1, skip: 0 },
          MAY: { pass: 0, fail: 1, skip: 0 },
        },
        ropkit: { MUST: { pass: 0, fail: 0, skip: 1 } },
      },
    });
    expect(json.adapters[2]).toMatchObject({ started: false, error: expect.any(String) });
  });

  it('JUnit: times on suites and cases; only error-weight failures fail; a start failure is an error', () => {
    const xml = toJUnit(report);
    expect(xml).toContain(
      '<testsuites name="ropkit-conformance" tests="9" failures="1" errors="1" skipped="1" time="2.500" timestamp="2025-01-02T03:04:05.000Z">',
    );
    expect(xml).toContain(
      '<testsuite name="a-third-party-adapter-with-a-long-name" timestamp="2025-01-02T03:04:05.000Z" time="1.234" tests="4" failures="1" errors="0" skipped="1">',
    );
    expect(xml).toContain('time="0.012"><failure type="MUST" message="sent GET');
    expect(xml).toContain(
      '<system-out>warning (SHOULD, Standards (RFC)): &#60;b&#62;&#34;quoted&#34;&#60;/b&#62;</system-out>',
    );
    expect(xml).toContain('<skipped message="not supported"/>');
    expect(xml).toContain(
      '<testcase classname="never-starts" name="startTestApp" time="1.234"><error message="startTestApp did not resolve within 10 ms"/></testcase>',
    );
  });

  it('Markdown: a summary by level and profile, a table per profile, no times', () => {
    const markdown = toMarkdown(report);
    expect(markdown).toContain('| adapter | MUST | SHOULD | MAY | ropkit profile | skipped |');
    expect(markdown).toContain('| express | 1/1 | 1/1 | 1/1 | 1/1 (not claimed) | 0 |');
    expect(markdown).toContain(
      '| a-third-party-adapter-with-a-long-name | 0/1 | 0/1 | 0/1 | - (not claimed) | 1 |',
    );
    expect(markdown).toContain(
      '| never-starts | did not start: startTestApp did not resolve within 10 ms |',
    );
    expect(markdown).toContain('### Standards (RFC)');
    expect(markdown).toMatch(
      /\| bearer-01 \| MUST \| MUST refuse .* \| pass \| \*\*FAIL\*\* \| n\/a \|/,
    );
    expect(markdown).not.toContain('2025-01-02');
    expect(toMarkdown(report, { reasons: false })).not.toContain('### Failures');
  });
});

describe('declared skips and capabilities', () => {
  it('fails a declared skip that has no reason, honours one that has, and skips what is not declared', async () => {
    const run = await ConformanceRun.start(
      {
        name: 'third-party',
        startTestApp: answers404,
        skips: { 'bearer-01': '', 'bearer-02': 'no public route', 'login-*': 'no login routes' },
        capabilities: ['bearer'],
      },
      { runtime: 'in-process' },
    );
    try {
      expect(await run.run(scenarioOf('bearer-01'))).toMatchObject({
        outcome: 'fail',
        severity: 'error',
        reason: 'skipped without a reason',
      });
      expect(await run.run(scenarioOf('bearer-02'))).toMatchObject({
        outcome: 'skip',
        reason: 'no public route',
      });
      expect(await run.run(scenarioOf('login-03'))).toMatchObject({
        outcome: 'skip',
        reason: 'no login routes',
      });
      expect(await run.run(scenarioOf('scope-05'))).toMatchObject({
        outcome: 'skip',
        reason:
          'needs the "scopes" and "permissions" capabilities, which third-party does not declare',
      });
      expect(await run.run(scenarioOf('sess-03'))).toMatchObject({
        outcome: 'skip',
        reason: 'needs the "login" and "sessions" capabilities, which third-party does not declare',
      });
    } finally {
      await run.close();
    }
  });

  it('weighs failures by level and profile: MUST error, SHOULD warning, MAY and unclaimed profiles info', async () => {
    const run = await ConformanceRun.start(
      { name: 'third-party', startTestApp: answers404 },
      { runtime: 'in-process' },
    );
    const strict = await ConformanceRun.start(
      { name: 'strict', startTestApp: answers404, profiles: ['ropkit'] },
      { runtime: 'in-process', strict: true },
    );
    try {
      expect(
        ['bearer-01', 'bearer-04', 'jwt-13', 'bearer-12', 'scope-05'].map((id) => weigh(run, id)),
      ).toEqual(['error', 'warning', 'info', 'info', 'info']);
      expect(
        ['bearer-04', 'bearer-12', 'bearer-14', 'scope-05'].map((id) => weigh(strict, id)),
      ).toEqual(['error', 'error', 'error', 'info']);
    } finally {
      await run.close();
      await strict.close();
    }
  });
});

describe('the options an adapter is given', () => {
  it('every setting a scenario depends on is explicit', () => {
    expect(
      kitVerifierOptions('https://t.example.com/', 'api', 'https://t.example.com/jwks'),
    ).toEqual({
      issuer: 'https://t.example.com/',
      audience: 'api',
      jwksUri: 'https://t.example.com/jwks',
      algorithms: ['RS256'],
      realm: 'api',
      clockTolerance: 5,
      maxTokenSize: 8192,
      scopeSources: ['scope', 'permissions'],
      tokenLocations: ['header'],
      keySet: { cooldownMs: 500 },
    });
  });

  it('each option a scenario uses is one the kit passes', () => {
    // The DPoP, mTLS, secret and public key settings go to the apps their scenarios start; an
    // issuer list stands for issuer.
    const options = {
      ...kitVerifierOptions('https://t.example.com/', 'api', 'https://t.example.com/jwks'),
      dpop: { ...KIT_DPOP, nonce: { secret: 'a nonce secret given by the scenarios' } },
      mtls: KIT_MTLS,
      secret: 'the HS256 secret the hs-* scenarios give',
      publicKey: 'the PEM the static-* scenarios give',
    };
    for (const scenario of CATALOGUE)
      for (const option of scenario.uses.filter((o) => o.startsWith('verifier.'))) {
        const path = option.replace(/\[\]$/, '').split('.').slice(1);
        const value = path.reduce<unknown>(
          (at, key) => (typeof at === 'object' && at !== null ? Reflect.get(at, key) : undefined),
          options,
        );
        expect({ scenario: scenario.id, option, given: value !== undefined }).toEqual({
          scenario: scenario.id,
          option,
          given: true,
        });
      }
  });
});
