import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler, lambdaHandlers } from '../../scripts/lambda-bundle.js';

/**
 * Each Lambda's bundle, built with the options the CDK app deploys (scripts/lambda-bundle.ts), stays
 * within its size budget and holds none of what must never ship (issue #16; sizes and import times in
 * docs/benchmarks.md, `npm run cold-start`). 600 KB is the goal; the dispatcher (the SES client, the
 * Handlebars compiler for the pushed templates, the shipped templates), the link handler (Handlebars,
 * Secrets Manager) and the dispatch coordinator (the SES client for GetAccount, the SQS client, the
 * configuration's schema) are still above it, and their budgets hold them where they are now.
 */
const KB = 1024;
const budgets: Record<string, number> = {
  'customer-stream': 600 * KB,
  'mail-events': 600 * KB,
  'pause-marketing': 600 * KB,
  planner: 600 * KB,
  'dispatch-coordinator': 680 * KB,
  links: 700 * KB,
  dispatcher: 820 * KB,
};

const out = mkdtempSync(join(tmpdir(), 'retention-bundle-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it('has a budget for every handler', () => {
    // Assess
    expect(lambdaHandlers().sort()).toEqual(Object.keys(budgets).sort());
  });

  it.each(lambdaHandlers())('%s: within its budget, without the CommonJS AWS SDK, zod locales, source-map or mjml', async (handler) => {
    // Act
    const { bytes, inputs } = await bundleHandler(handler, join(out, handler, 'index.mjs'));

    // Assess
    expect(bytes).toBeLessThanOrEqual(budgets[handler]!);
    // The AWS SDK's CommonJS builds cannot be tree-shaken (mainFields: module first).
    expect(inputs.filter((input) => /node_modules\/@aws-sdk\/[^/]+\/dist-cjs\//.test(input))).toEqual([]);
    // `import { z } from 'zod'` keeps every locale; `import * as z` only English.
    expect(inputs.filter((input) => input.includes('zod/v4/locales/') && !/zod\/v4\/locales\/(en|index)\.js$/.test(input))).toEqual([]);
    expect(inputs.filter((input) => /node_modules\/(source-map|mjml[^/]*|juice|html-to-text)\//.test(input))).toEqual([]);
  });
});
