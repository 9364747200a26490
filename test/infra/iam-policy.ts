import { tableDefinitions, type TableDefinition } from '../../functions/adapters/tables.js';
import type { AwsCall } from '../../functions/local/aws-calls.js';

/**
 * Evaluates the synthesized IAM policies of a CDK app for real: resource ARNs are resolved through
 * the templates (Ref, Fn::GetAtt, Fn::Join, Fn::ImportValue of the other stack's exports) to symbolic
 * ARNs such as `arn:aws:dynamodb:REGION:ACCOUNT:table/Ledger`, and a request is allowed when an Allow
 * statement's action and resource patterns (`*`, `?`) match it and no Deny does. A grant is used when
 * some request a role must make matches it.
 */

type Json = unknown;

export interface CfnTemplate {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, Json> }>;
  readonly Outputs?: Record<string, { readonly Value: Json; readonly Export?: { readonly Name: Json } }>;
}

export interface StackTemplate {
  readonly name: string;
  readonly template: CfnTemplate;
}

/** One request a role must be able to make, and why it makes it. */
export interface Need {
  readonly action: string;
  /** A symbolic ARN (or `*` for actions without resource-level permissions). */
  readonly resource: string;
  readonly why: string;
}

export interface RoleVerdict {
  /** Needed but not allowed: `action resource (why)`. */
  readonly notAllowed: string[];
  /** Allowed but needed by nothing: `action resource-pattern`. */
  readonly unused: string[];
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: string[];
  readonly resources: string[];
}

const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'REGION', 'AWS::AccountId': 'ACCOUNT', 'AWS::URLSuffix': 'amazonaws.com' };

/** A construct's logical id without CDK's hash: `Ledger` for `LedgerB7379752`. */
const nameOf = (logicalId: string) => /^(.+?)[0-9A-F]{8}$/.exec(logicalId)?.[1] ?? logicalId;

const patternOf = (glob: string, flags = '') => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags);
const actionMatches = (pattern: string, action: string) => patternOf(pattern, 'i').test(action);
const resourceMatches = (pattern: string, resource: string) => patternOf(pattern).test(resource);

const arn = (service: string, resource: string) => `arn:aws:${service}:REGION:ACCOUNT:${resource}`;

export class IamCheck {
  constructor(private readonly stacks: readonly StackTemplate[]) {}

  private stack(name: string): CfnTemplate {
    const found = this.stacks.find((stack) => stack.name === name);
    if (!found) throw new Error(`no stack ${name}`);
    return found.template;
  }

  private resource(stack: string, logicalId: string) {
    const resource = this.stack(stack).Resources[logicalId];
    if (!resource) throw new Error(`${stack} has no resource ${logicalId}`);
    return resource;
  }

  /** A template value resolved to the string it becomes, with symbols for what only a deployment decides. */
  resolve(value: Json, stack: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    const entries = Object.entries((value ?? {}) as Record<string, Json>);
    if (entries.length !== 1) throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    const [[fn, args]] = entries as [[string, Json]];
    if (fn === 'Ref') {
      const id = args as string;
      return pseudo[id] ?? this.ref(stack, id);
    }
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = typeof args === 'string' ? (args.split('.') as [string, string]) : (args as [string, string]);
      return this.getAtt(stack, id, attribute);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, Json[]];
      return parts.map((part) => this.resolve(part, stack)).join(separator);
    }
    if (fn === 'Fn::ImportValue') return this.imported(this.resolve(args, stack));
    throw new Error(`cannot resolve ${fn} in ${JSON.stringify(value)}`);
  }

  private imported(exportName: string): string {
    for (const { name, template } of this.stacks) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export && this.resolve(output.Export.Name, name) === exportName) return this.resolve(output.Value, name);
      }
    }
    throw new Error(`no stack exports ${exportName}`);
  }

  private ref(stack: string, id: string): string {
    const { Type, Properties = {} } = this.resource(stack, id);
    switch (Type) {
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${nameOf(id)}-RANDOM`);
      case 'AWS::SES::EmailIdentity':
        return this.resolve(Properties.EmailIdentity, stack);
      case 'AWS::SES::ConfigurationSet':
        return Properties.Name === undefined ? nameOf(id) : this.resolve(Properties.Name, stack);
      case 'AWS::SQS::Queue':
        return `https://sqs.REGION.amazonaws.com/ACCOUNT/${nameOf(id)}`;
      default:
        // Tables, functions, log groups, roles: their Ref is their name.
        return nameOf(id);
    }
  }

  private getAtt(stack: string, id: string, attribute: string): string {
    const { Type } = this.resource(stack, id);
    const name = nameOf(id);
    const known: Record<string, Record<string, string>> = {
      'AWS::DynamoDB::Table': { Arn: arn('dynamodb', `table/${name}`), StreamArn: arn('dynamodb', `table/${name}/stream/LABEL`) },
      'AWS::Lambda::Function': { Arn: arn('lambda', `function:${name}`) },
      'AWS::SQS::Queue': { Arn: arn('sqs', name) },
      'AWS::Logs::LogGroup': { Arn: arn('logs', `log-group:${name}:*`) },
      'AWS::IAM::Role': { Arn: `arn:aws:iam::ACCOUNT:role/${name}` },
    };
    const resolved = known[Type]?.[attribute];
    if (!resolved) throw new Error(`cannot resolve Fn::GetAtt ${attribute} of ${Type} ${id}`);
    return resolved;
  }

  /** Every statement of the policies attached to a role: inline, or AWS::IAM::Policy naming it. */
  statementsOf(stack: string, roleId: string): Statement[] {
    const role = this.resource(stack, roleId);
    if (role.Properties?.ManagedPolicyArns) throw new Error(`${roleId} has managed policies, which this check cannot read`);
    const documents = [
      ...((role.Properties?.Policies ?? []) as { PolicyDocument: Json }[]).map((policy) => policy.PolicyDocument),
      ...Object.values(this.stack(stack).Resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy' && (resource.Properties?.Roles as Json[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
        .map((policy) => policy.Properties!.PolicyDocument),
    ];
    return documents.flatMap((document) =>
      ((document as { Statement: Record<string, Json>[] }).Statement ?? []).map((statement) => {
        for (const unsupported of ['NotAction', 'NotResource', 'NotPrincipal', 'Condition']) {
          if (unsupported in statement) throw new Error(`a statement of ${roleId} has ${unsupported}, which this check does not evaluate`);
        }
        return {
          effect: statement.Effect as Statement['effect'],
          actions: [statement.Action].flat() as string[],
          resources: [statement.Resource].flat().map((resource) => this.resolve(resource, stack)),
        };
      }),
    );
  }

  /** Whether the role's policies allow one request. */
  allows(statements: readonly Statement[], action: string, resource: string): boolean {
    const matching = (effect: Statement['effect']) =>
      statements.some((statement) => statement.effect === effect && statement.actions.some((a) => actionMatches(a, action)) && statement.resources.some((r) => resourceMatches(r, resource)));
    return matching('Allow') && !matching('Deny');
  }

  /** Both ways: every need allowed, every granted action on every granted resource needed. */
  verdict(stack: string, roleId: string, needs: readonly Need[]): RoleVerdict {
    const statements = this.statementsOf(stack, roleId);
    const notAllowed = needs.filter((need) => !this.allows(statements, need.action, need.resource)).map((need) => `${need.action} ${need.resource} (${need.why})`);
    const unused = statements
      .filter((statement) => statement.effect === 'Allow')
      .flatMap((statement) => statement.actions.flatMap((action) => statement.resources.map((resource) => ({ action, resource }))))
      .filter(({ action, resource }) => !needs.some((need) => actionMatches(action, need.action) && resourceMatches(resource, need.resource)))
      .map(({ action, resource }) => `${action} ${resource}`);
    return { notAllowed: [...new Set(notAllowed)].sort(), unused: [...new Set(unused)].sort() };
  }

  private environmentOf(stack: string, functionId: string): Record<string, Json> {
    return ((this.resource(stack, functionId).Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<string, Json>;
  }

  private environmentVariable(stack: string, functionId: string, variable: string): string {
    const value = this.environmentOf(stack, functionId)[variable];
    if (value === undefined) throw new Error(`${functionId} has no environment variable ${variable}, which its code reads`);
    return this.resolve(value, stack);
  }

  /**
   * What the function's code calls (test/infra/aws-calls.ts), on the resources its environment names:
   * the table behind CUSTOMERS_TABLE, the secret behind LINK_SECRET_ARN, and so on.
   */
  codeNeeds(stack: string, functionId: string, calls: readonly AwsCall[]): Need[] {
    return calls.map((call) => {
      const [action, logical] = call.split(' ') as [string, string];
      const why = 'its code';
      const [tableName, ...rest] = logical.split('/');
      const table = (tableDefinitions as readonly TableDefinition[]).find((definition) => definition.logicalName === tableName);
      if (action.startsWith('dynamodb:') && table) {
        const suffix = rest.length ? `/${rest.join('/')}` : '';
        return { action, resource: arn('dynamodb', `table/${this.environmentVariable(stack, functionId, table.envVar)}${suffix}`), why };
      }
      if (action === 'ses:SendEmail' && logical === 'identity') {
        // `Name <local@domain>` or `local@domain`: SES authorizes the domain's identity.
        const sender = this.environmentVariable(stack, functionId, 'SENDER_ADDRESS');
        const domain = /@([^@<>\s]+)>?\s*$/.exec(sender)?.[1];
        if (!domain) throw new Error(`SENDER_ADDRESS ${sender} names no domain`);
        return { action, resource: arn('ses', `identity/${domain}`), why };
      }
      if (action === 'ses:SendEmail' && logical === 'configuration-set') {
        return { action, resource: arn('ses', `configuration-set/${this.environmentVariable(stack, functionId, 'SES_CONFIGURATION_SET')}`), why };
      }
      if (action === 'ses:GetAccount' && logical === 'account') return { action, resource: '*', why }; // no resource-level permissions
      if (action === 'sqs:SendMessage' && logical === 'SendWorkQueue') {
        // The environment names the queue by its URL; IAM by its ARN.
        const url = this.environmentVariable(stack, functionId, 'SEND_WORK_QUEUE_URL');
        return { action, resource: arn('sqs', url.split('/').pop()!), why };
      }
      if (action === 'secretsmanager:GetSecretValue' && logical === 'LinkSecret') return { action, resource: this.environmentVariable(stack, functionId, 'LINK_SECRET_ARN'), why };
      throw new Error(`${call}: the check does not know which resource that is`);
    });
  }

  /** What a target needs to receive something: an SQS queue, an SNS topic, a function. */
  private deliveryNeed(target: string, why: string): Need {
    if (target.startsWith('arn:aws:sqs:')) return { action: 'sqs:SendMessage', resource: target, why };
    if (target.startsWith('arn:aws:sns:')) return { action: 'sns:Publish', resource: target, why };
    if (target.startsWith('arn:aws:lambda:')) return { action: 'lambda:InvokeFunction', resource: target, why };
    throw new Error(`${why}: cannot tell what delivering to ${target} needs`);
  }

  /** What Lambda itself does with the function's role, read from the template: its logs, traces, event sources and destinations. */
  platformNeeds(stack: string, functionId: string): Need[] {
    const { Resources } = this.stack(stack);
    const properties = this.resource(stack, functionId).Properties ?? {};
    const needs: Need[] = [];
    const logGroup = (properties.LoggingConfig as { LogGroup?: Json } | undefined)?.LogGroup;
    const logGroupName = logGroup === undefined ? `/aws/lambda/${nameOf(functionId)}` : this.resolve(logGroup, stack);
    if (logGroup === undefined) needs.push({ action: 'logs:CreateLogGroup', resource: arn('logs', `log-group:${logGroupName}`), why: 'its default log group' });
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) needs.push({ action, resource: arn('logs', `log-group:${logGroupName}:log-stream:STREAM`), why: 'its logs' });
    if ((properties.TracingConfig as { Mode?: string } | undefined)?.Mode === 'Active') {
      for (const action of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) needs.push({ action, resource: '*', why: 'active tracing' });
    }
    const isThisFunction = (reference: Json) => reference !== undefined && this.resolve(reference, stack) === nameOf(functionId);
    const failureDestination = (config: Json) => (config as { OnFailure?: { Destination?: Json } } | undefined)?.OnFailure?.Destination;
    for (const resource of Object.values(Resources)) {
      const p = resource.Properties ?? {};
      if (resource.Type === 'AWS::Lambda::EventSourceMapping' && isThisFunction(p.FunctionName)) {
        const source = this.resolve(p.EventSourceArn, stack);
        if (source.startsWith('arn:aws:sqs:')) {
          for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) needs.push({ action, resource: source, why: 'its queue event source' });
          continue;
        }
        if (!/^arn:aws:dynamodb:.*\/stream\//.test(source)) throw new Error(`an event source this check does not know: ${source}`);
        for (const action of ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']) needs.push({ action, resource: source, why: 'its stream event source' });
        needs.push({ action: 'dynamodb:ListStreams', resource: '*', why: 'its stream event source' });
        const destination = failureDestination(p.DestinationConfig);
        if (destination !== undefined) needs.push(this.deliveryNeed(this.resolve(destination, stack), 'its stream event source parks failed batches'));
      }
      if (resource.Type === 'AWS::Lambda::EventInvokeConfig' && isThisFunction(p.FunctionName)) {
        const config = p.DestinationConfig as { OnFailure?: { Destination?: Json }; OnSuccess?: { Destination?: Json } } | undefined;
        for (const destination of [config?.OnFailure?.Destination, config?.OnSuccess?.Destination]) {
          if (destination !== undefined) needs.push(this.deliveryNeed(this.resolve(destination, stack), 'its asynchronous invocation destination'));
        }
      }
    }
    const deadLetter = (properties.DeadLetterConfig as { TargetArn?: Json } | undefined)?.TargetArn;
    if (deadLetter !== undefined) needs.push(this.deliveryNeed(this.resolve(deadLetter, stack), 'its dead-letter queue'));
    return needs;
  }

  /** What EventBridge Scheduler does with a schedule's role: invoke its target, park what fails. */
  scheduleNeeds(stack: string, roleId: string): Need[] {
    const roleArn = this.getAtt(stack, roleId, 'Arn');
    return Object.values(this.stack(stack).Resources)
      .filter((resource) => resource.Type === 'AWS::Scheduler::Schedule')
      .map((schedule) => schedule.Properties!.Target as { Arn: Json; RoleArn: Json; DeadLetterConfig?: { Arn?: Json } })
      .filter((target) => this.resolve(target.RoleArn, stack) === roleArn)
      .flatMap((target) => [
        this.deliveryNeed(this.resolve(target.Arn, stack), 'its schedule'),
        ...(target.DeadLetterConfig?.Arn === undefined ? [] : [this.deliveryNeed(this.resolve(target.DeadLetterConfig.Arn, stack), 'its schedule parks failed invocations')]),
      ]);
  }

  /** The role a function runs with. */
  roleOf(stack: string, functionId: string): string {
    const role = this.resource(stack, functionId).Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const roleId = role?.['Fn::GetAtt']?.[0];
    if (!roleId) throw new Error(`${functionId} runs with a role this check cannot find`);
    return roleId;
  }
}
