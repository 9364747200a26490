import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { deploySettings } from '../../functions/adapters/deploy-settings.js';
import { addStacks, buildApp } from '../../infra/app.js';

const newApp = () => new App({ context: cdkJson.context, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });

interface Finding {
  readonly ruleName: string;
  readonly severity: string;
  readonly constructPath: string;
}

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly constructPath: string;
  readonly onStack: boolean;
}

/**
 * Synthesizes the app and returns what the validation plugins still report, errors and warnings alike,
 * from the cloud assembly's validation-report.json (cdk-nag 3 reports there, not as annotations).
 * Synthesis throws when a plugin fails; the report is written first, so it is read either way.
 */
const synthesize = (app: App): { findings: Finding[]; error?: Error } => {
  let error: Error | undefined;
  try {
    app.synth({ force: true });
  } catch (thrown) {
    error = thrown as Error;
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  const findings = report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap(({ ruleName, severity, violatingConstructs }) => violatingConstructs.map(({ constructPath }) => ({ ruleName, severity, constructPath }))),
  );
  return { findings, error };
};

/** Every `Validations.of(construct).acknowledge(...)` in the app, read back from construct metadata. */
const acknowledgementsIn = (app: App): Acknowledgement[] =>
  app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([qualifiedId, reason]) => ({
          id: qualifiedId.replace(/^annotation::/i, ''),
          reason,
          constructPath: construct.node.path,
          onStack: Stack.isStack(construct),
        })),
      ),
  );

const describeFinding = ({ ruleName, severity, constructPath }: Finding) => `${severity} ${ruleName} at ${constructPath}`;

describe('cdk-nag AWS Solutions checks', () => {
  /** What the rules find in our stacks with nothing acknowledged. */
  let raw: ReturnType<typeof synthesize>;
  /** What remains of it in the app as deployed. */
  let deployed: ReturnType<typeof synthesize>;
  let acknowledgements: Acknowledgement[];

  beforeAll(() => {
    const rawApp = newApp();
    addStacks(rawApp);
    Validations.of(rawApp).addPlugins(new AwsSolutionsChecks(rawApp));
    raw = synthesize(rawApp);

    const { app } = buildApp(undefined, newApp());
    acknowledgements = acknowledgementsIn(app);
    deployed = synthesize(app);
  });

  it('leave no finding unacknowledged, error or warning, and let the synthesis through', () => {
    expect(deployed.findings.map(describeFinding)).toEqual([]);
    expect(deployed.error).toBeUndefined();
  });

  it('leave no finding either with the links on the business\'s own domain (linksDomain)', () => {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, outdir: mkdtempSync(join(tmpdir(), 'cdk-')) });
    buildApp({ ...deploySettings, linksDomain: { domainName: 'links.example.com', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d' } }, app);
    const { findings, error } = synthesize(app);
    expect(findings.map(describeFinding)).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('fail the synthesis on any finding nobody acknowledged (what the acknowledgements are holding back)', () => {
    expect(raw.findings.length).toBeGreaterThan(0);
    expect(raw.error?.message).toMatch(/AwsSolutions/);
  });

  it('are acknowledged each with a specific reason, on the construct that raises it, never a whole stack', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.id, acknowledgement.constructPath).toMatch(/^AwsSolutions-/);
      expect(acknowledgement.reason.trim().length, `${acknowledgement.id} at ${acknowledgement.constructPath}`).toBeGreaterThan(30);
      expect(acknowledgement.onStack, `${acknowledgement.id} at ${acknowledgement.constructPath}`).toBe(false);
    }
  });

  it('are acknowledged only where a rule still finds something (no stale acknowledgement)', () => {
    const raisedBelow = ({ id, constructPath }: Acknowledgement) =>
      raw.findings.some((finding) => finding.ruleName === id && (finding.constructPath === constructPath || finding.constructPath.startsWith(`${constructPath}/`)));
    expect(acknowledgements.filter((acknowledgement) => !raisedBelow(acknowledgement))).toEqual([]);
  });
});
