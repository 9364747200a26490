import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleForLambda, bundleHandler, lambdaHandlers } from '../../scripts/lambda-bundle.js';

/**
 * Each Lambda's bundle, built with the options the CDK app deploys (scripts/lambda-bundle.ts), stays
 * within its size budget and holds none of what must never ship (issue #16; sizes and import times in
 * docs/benchmarks.md, `npm run cold-start`).
 */
const KB = 1024;
const budgets: Record<string, number> = {
  'customer-stream': 600 * KB,
  'mail-events': 600 * KB,
  'pause-marketing': 600 * KB,
  planner: 600 * KB,
  'dispatch-coordinator': 600 * KB,
  links: 600 * KB,
  dispatcher: 600 * KB,
};

const out = mkdtempSync(join(tmpdir(), 'retention-bundle-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it('has a budget for every handler', () => {
    // Assess
    expect(lambdaHandlers().sort()).toEqual(Object.keys(budgets).sort());
  });

  it.each(lambdaHandlers())('%s: within its budget, without the CommonJS AWS SDK, the full zod or its other locales, source-map, mjml or luxon', async (handler) => {
    // Act
    const { bytes, inputs } = await bundleHandler(handler, join(out, handler, 'index.mjs'));

    // Assess
    expect(bytes).toBeLessThanOrEqual(budgets[handler]!);
    // The AWS SDK's CommonJS builds cannot be tree-shaken (mainFields: module first).
    expect(inputs.filter((input) => /node_modules\/@aws-sdk\/[^/]+\/dist-cjs\//.test(input))).toEqual([]);
    // zod's English messages only (functions/core/schema.ts): the namespace of every locale brings all ~40.
    expect(inputs.filter((input) => input.includes('zod/v4/locales/') && !/zod\/v4\/locales\/(en|index)\.js$/.test(input))).toEqual([]);
    // zod/mini: the full build's classic API (node_modules/zod/v4/classic) gives every schema its own copy of each method.
    expect(inputs.filter((input) => input.includes('zod/v4/classic/'))).toEqual([]);
    // luxon is the reference functions/core/calendar.ts is tested against, not a part of the product.
    expect(inputs.filter((input) => /node_modules\/(source-map|mjml[^/]*|juice|html-to-text|luxon)\//.test(input))).toEqual([]);
    // Credentials from the environment only (functions/adapters/lambda-credentials.ts): no STS, SSO or shared-file providers.
    expect(inputs.filter((input) => /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)[^/]+|nested-clients|token-providers)\//.test(input))).toEqual([]);
    expect(inputs).toContain('functions/adapters/lambda-credentials.ts');
  });

  it("gives a bundled client the execution role's credentials from the environment, and names what is missing without them", async () => {
    // Arrange: a client built as the handlers build theirs, asked for its credentials in a fresh process.
    const bundle = join(out, 'credentials', 'index.mjs');
    await bundleForLambda(fileURLToPath(new URL('../fixtures/bundled-credentials.ts', import.meta.url)), bundle);
    const credentialsIn = (env: Record<string, string>) => {
      const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, ...rest } = process.env;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundle).href)});`], { env: { ...rest, ...env }, encoding: 'utf8' });
      return JSON.parse(result.stdout) as Record<string, string>;
    };

    // Act
    const withRole = credentialsIn({ AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret', AWS_SESSION_TOKEN: 'session-of-the-role' });
    const withoutRole = credentialsIn({});

    // Assess
    expect(withRole).toEqual({ accessKeyId: 'AKIDEXAMPLE', sessionToken: 'session-of-the-role' });
    expect(withoutRole.error).toMatch(/environment variable credentials/);
  });
});
