import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { describeStackOutputs, StackOutputsError, stackNamesOf, tableNamesFromOutputs, type CloudFormationLike } from '../../functions/cli/stack-outputs.js';

const dataOutputs = {
  CustomersTableName: 'RetentionData-CustomersA1-XYZ',
  MessagesTableName: 'RetentionData-MessagesB2-XYZ',
  LedgerTableName: 'RetentionData-LedgerC3-XYZ',
  ControlTableName: 'RetentionData-ControlD4-XYZ',
  SuppressionsTableName: 'RetentionData-SuppressionsE5-XYZ',
};

/** A CloudFormation client that answers DescribeStacks from a map, as the service would (a missing stack is a ValidationError). */
const mockedCloudFormation = (stacks: Record<string, Record<string, string>>) => {
  const asked: string[] = [];
  const client: CloudFormationLike = {
    send: (async (command: DescribeStacksCommand) => {
      // Prepare: only DescribeStacks is expected
      expect(command).toBeInstanceOf(DescribeStacksCommand);
      const name = command.input.StackName!;
      asked.push(name);
      const outputs = stacks[name];
      if (!outputs) throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
      return { Stacks: [{ StackName: name, Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] };
    }) as CloudFormationLike['send'],
  };
  return { client, asked };
};

describe('the table names of a deployed stack', () => {
  it('are found in whichever stack of a `cdk deploy --outputs-file` file exports them', () => {
    const names = tableNamesFromOutputs({ RetentionCompute: { LinksBaseUrl: 'https://x.example/' }, RetentionData: dataOutputs }, 'outputs.json');
    expect(names).toEqual({ Customers: dataOutputs.CustomersTableName, Messages: dataOutputs.MessagesTableName, Ledger: dataOutputs.LedgerTableName, Control: dataOutputs.ControlTableName, Suppressions: dataOutputs.SuppressionsTableName });
  });

  it('name each missing output, and the stacks looked in', () => {
    const { LedgerTableName, ...rest } = dataOutputs;
    expect(() => tableNamesFromOutputs({ RetentionData: rest }, 'outputs.json')).toThrow(/outputs.json: no LedgerTableName among the outputs of RetentionData/);
    expect(() => tableNamesFromOutputs({}, 'outputs.json')).toThrow(/no CustomersTableName, MessagesTableName, LedgerTableName, ControlTableName, SuppressionsTableName/);
  });

  it('refuse a table named two ways by two stacks', () => {
    expect(() => tableNamesFromOutputs({ A: dataOutputs, B: { ...dataOutputs, ControlTableName: 'other' } }, 'f')).toThrow(/ControlTableName differs between stacks/);
  });
});

describe('--stack <prefix>: DescribeStacks of <prefix>Data and <prefix>Compute (mocked CloudFormation)', () => {
  it('reads both stacks and resolves the tables from the data stack', async () => {
    // Prepare
    const { client, asked } = mockedCloudFormation({ RetentionData: dataOutputs, RetentionCompute: { LinksBaseUrl: 'https://links.example/', ConfigurationSetName: 'retention' } });
    // Act
    const outputs = await describeStackOutputs(client, 'Retention');
    // Assess
    expect(asked).toEqual(['RetentionData', 'RetentionCompute']);
    expect(stackNamesOf('Retention')).toEqual(asked);
    expect(outputs.RetentionCompute).toEqual({ LinksBaseUrl: 'https://links.example/', ConfigurationSetName: 'retention' });
    expect(tableNamesFromOutputs(outputs, 'stack Retention').Messages).toBe(dataOutputs.MessagesTableName);
  });

  it('a stack that does not exist is left out, and the missing table outputs are named', async () => {
    const { client } = mockedCloudFormation({ RetentionCompute: { LinksBaseUrl: 'https://links.example/' } });
    const outputs = await describeStackOutputs(client, 'Retention');
    expect(Object.keys(outputs)).toEqual(['RetentionCompute']);
    expect(() => tableNamesFromOutputs(outputs, 'the stacks RetentionData and RetentionCompute')).toThrow(/no CustomersTableName.* among the outputs of RetentionCompute/);
  });

  it.each([
    ['access denied', Object.assign(new Error('User is not authorized to perform: cloudformation:DescribeStacks'), { name: 'AccessDenied' })],
    ['no region', new Error('Region is missing')],
  ])('any other error (%s) is not hidden: it is a reason, naming the stack', async (_, error) => {
    const client: CloudFormationLike = { send: (async () => { throw error; }) as CloudFormationLike['send'] };
    const read = describeStackOutputs(client, 'Retention');
    await expect(read).rejects.toBeInstanceOf(StackOutputsError);
    await expect(read).rejects.toThrow(`cannot read the outputs of the stack RetentionData: ${error.message}`);
  });
});
