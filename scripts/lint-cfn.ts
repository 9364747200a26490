/**
 * `npm run lint:cfn`: synthesizes the app as deployed (cdk-nag included) into a temporary directory
 * and runs cfn-lint (installed on these machines, not from npm) on every template; then the same with
 * the links on a custom domain (`linksDomain`), unless cdk.json sets one already. Errors fail it;
 * warnings and informational findings are printed but pass (today: W3005 on the DependsOn CDK itself
 * writes between a function and its role's policy, which is redundant but harmless).
 *
 *   npm run lint:cfn [-- --keep]   (--keep leaves the cloud assembly and prints where)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import cdkJson from '../cdk.json' with { type: 'json' };
import { deploySettings, type DeploySettings } from '../functions/adapters/deploy-settings.js';
import { buildApp } from '../infra/app.js';

export interface CfnLintResult {
  /** Whether cfn-lint found no error (warnings allowed). */
  readonly ok: boolean;
  /** cfn-lint's findings, one per line (`path:line:col:rule:message`), errors and warnings alike. */
  readonly output: string;
  readonly templates: string[];
}

/** Runs cfn-lint on every template of a cloud assembly; non-zero only for errors (`--non-zero-exit-code error`). */
export const lintTemplates = (assemblyDir: string): CfnLintResult => {
  const templates = readdirSync(assemblyDir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => join(assemblyDir, name));
  if (templates.length === 0) throw new Error(`no templates in ${assemblyDir}`);
  const run = spawnSync('cfn-lint', ['--format', 'parseable', '--non-zero-exit-code', 'error', '--', ...templates], { encoding: 'utf8' });
  if (run.error) throw new Error(`cfn-lint could not run (${run.error.message}); it is installed with pip, not npm: pip install cfn-lint`);
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim(), templates };
};

/** Synthesizes the app with these settings into a new temporary directory and returns it. */
export const synthesizeApp = (settings: DeploySettings = deploySettings): string => {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-lint-'));
  buildApp(settings, new App({ context: cdkJson.context, outdir })).app.synth();
  return outdir;
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const keep = process.argv.includes('--keep');
  const variants: [string, DeploySettings][] = [['cdk.json', deploySettings]];
  if (!deploySettings.linksDomain) {
    variants.push(['with linksDomain', { ...deploySettings, linksDomain: { domainName: 'links.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d' } }]);
  }
  let allOk = true;
  for (const [name, settings] of variants) {
    const outdir = synthesizeApp(settings);
    try {
      const { ok, output, templates } = lintTemplates(outdir);
      if (output) console.log(output);
      console.log(`cfn-lint (${name}): ${templates.length} templates, ${ok ? 'no errors' : 'ERRORS'}${keep ? ` (kept in ${outdir})` : ''}`);
      allOk &&= ok;
    } finally {
      if (!keep) rmSync(outdir, { recursive: true, force: true });
    }
  }
  process.exitCode = allOk ? 0 : 1;
}
