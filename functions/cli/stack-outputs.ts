import { readTextFile } from './text-file.js';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { tableDefinitions, tableOutputKey, type TableNames } from '../adapters/tables.js';

/**
 * Where a deployed stack's tables are: its CloudFormation outputs, read from the file `cdk deploy
 * --outputs-file` writes (`{ "<StackName>": { "<OutputKey>": "<value>" } }`) or with `DescribeStacks`.
 * The data stack outputs `<Logical>TableName` for every table of `tables.ts`; the compute stack its URLs.
 */
export type StackOutputs = Record<string, Record<string, string>>;

export class StackOutputsError extends Error {}

/** The table names, looked for in every stack of the outputs; a missing one, or one given two ways, is an error naming it. */
export const tableNamesFromOutputs = (outputs: StackOutputs, source: string): TableNames => {
  const names = {} as TableNames;
  const missing: string[] = [];
  for (const table of tableDefinitions) {
    const key = tableOutputKey(table.logicalName);
    const found = Object.entries(outputs).flatMap(([stack, values]) => (typeof values?.[key] === 'string' ? [{ stack, value: values[key]! }] : []));
    const values = [...new Set(found.map((f) => f.value))];
    if (values.length === 0) missing.push(key);
    else if (values.length > 1) throw new StackOutputsError(`${source}: ${key} differs between stacks (${found.map((f) => `${f.stack}: ${f.value}`).join(', ')})`);
    else names[table.logicalName] = values[0]!;
  }
  if (missing.length > 0) {
    const stacks = Object.keys(outputs);
    throw new StackOutputsError(`${source}: no ${missing.join(', ')} among the outputs of ${stacks.length ? stacks.join(', ') : 'no stack'} (is the data stack deployed, and in there?)`);
  }
  return names;
};

/** Reads the file `cdk deploy --outputs-file <file>` wrote. */
export const readOutputsFile = async (path: string): Promise<StackOutputs> => {
  let document: unknown;
  try {
    document = JSON.parse(await readTextFile(path));
  } catch (error) {
    throw new StackOutputsError(`cannot read the stack outputs ${path}: ${(error as Error).message}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) throw new StackOutputsError(`${path}: not the file cdk deploy --outputs-file writes ({ "<StackName>": { "<OutputKey>": "<value>" } })`);
  return document as StackOutputs;
};

/**
 * The stacks `--stack <prefix>` names: the two stacks infra/app.ts deploys are `<prefix>Data` and
 * `<prefix>Compute` (`Retention` as shipped), so `--stack Retention` reads RetentionData and RetentionCompute.
 */
export const stackNamesOf = (prefix: string): string[] => [`${prefix}Data`, `${prefix}Compute`];

/** What the CLI needs of a CloudFormation client (a real one, or a mock in tests). */
export type CloudFormationLike = Pick<CloudFormationClient, 'send'>;

export const cloudFormationClient = (options: { region?: string; profile?: string }): CloudFormationClient =>
  new CloudFormationClient({ ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) });

const doesNotExist = (error: unknown): boolean => /does not exist/i.test(String((error as Error)?.message ?? ''));

/**
 * Outputs of the stacks `<prefix>Data` and `<prefix>Compute`, with `DescribeStacks`. A stack that
 * does not exist is left out (the caller then says which output is missing); any other error is a
 * StackOutputsError with its reason.
 */
export const describeStackOutputs = async (client: CloudFormationLike, prefix: string): Promise<StackOutputs> => {
  const outputs: StackOutputs = {};
  for (const stackName of stackNamesOf(prefix)) {
    try {
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      for (const stack of Stacks ?? []) {
        outputs[stack.StackName ?? stackName] = Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue !== undefined).map((o) => [o.OutputKey!, o.OutputValue!]));
      }
    } catch (error) {
      // No region, no credentials, access denied: said as a reason (exit 2), not as a crash.
      if (!doesNotExist(error)) throw new StackOutputsError(`cannot read the outputs of the stack ${stackName}: ${(error as Error)?.message ?? error}`);
    }
  }
  return outputs;
};
