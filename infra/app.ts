import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import cdkJson from '../cdk.json' with { type: 'json' };
import { deploySettings, type DeploySettings } from '../functions/adapters/deploy-settings.js';
import { ComputeStack } from './compute-stack.js';
import { DataStack } from './data-stack.js';
import { acknowledgeFindings } from './nag-acknowledgements.js';

/** The two stacks, env-agnostic (synth needs no AWS credentials): the stateful data stack apart from the compute stack. */
export const addStacks = (app: App, settings: DeploySettings = deploySettings) => {
  const data = new DataStack(app, 'RetentionData', { description: 'Retention: customer records, outbox, contact ledger, control (stateful)', settings });
  const compute = new ComputeStack(app, 'RetentionCompute', { description: 'Retention: functions, schedules, stream, mail', tables: data.tables, linkSecret: data.linkSecret, settings });
  return { data, compute };
};

/** The app as deployed: the stacks, checked at synthesis by cdk-nag's AWS Solutions rules, with the findings we accept. */
export const buildApp = (settings: DeploySettings = deploySettings, app = new App({ context: cdkJson.context })) => {
  const { data, compute } = addStacks(app, settings);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeFindings({ data, compute });
  return { app, data, compute };
};

if (process.argv[1] === fileURLToPath(import.meta.url)) buildApp().app.synth();
