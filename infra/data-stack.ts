import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { checkedDueIndexProjection, deploySettings, type DeploySettings } from '../functions/adapters/deploy-settings.js';
import { deployedProjection, tableDefinitions, tableOutputKey, type TableDefinition, type TableName } from '../functions/adapters/tables.js';

const projectionOf = (projection: TableDefinition['indexes'][number]['projection']): Pick<dynamodb.GlobalSecondaryIndexProps, 'projectionType' | 'nonKeyAttributes'> =>
  projection === 'ALL'
    ? { projectionType: dynamodb.ProjectionType.ALL }
    : projection === 'KEYS_ONLY'
      ? { projectionType: dynamodb.ProjectionType.KEYS_ONLY }
      : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...projection] };

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

export interface DataStackProps extends StackProps {
  readonly settings?: DeploySettings;
}

/**
 * The stateful stack: the tables, built from the one description in functions/adapters/tables.ts.
 * On-demand, point-in-time recovery, encrypted, protected from deletion and kept if the stack goes;
 * a table with a time-to-live attribute (Messages) has DynamoDB delete its expired items.
 */
export class DataStack extends Stack {
  readonly tables: Record<TableName, dynamodb.Table>;
  /** Signs one-click links; kept with the data, since replacing it breaks every link already sent. */
  readonly linkSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    const dueIndexProjection = checkedDueIndexProjection((props.settings ?? deploySettings).dueIndexProjection, 'cdk.json retention.dueIndexProjection');
    this.tables = {} as Record<TableName, dynamodb.Table>;
    for (const definition of tableDefinitions as readonly TableDefinition[]) {
      const table = new dynamodb.Table(this, definition.logicalName, {
        partitionKey: stringKey(definition.partitionKey),
        sortKey: definition.sortKey ? stringKey(definition.sortKey) : undefined,
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        stream: definition.stream === 'NEW_AND_OLD_IMAGES' ? dynamodb.StreamViewType.NEW_AND_OLD_IMAGES : undefined,
        timeToLiveAttribute: definition.timeToLiveAttribute,
      });
      for (const index of definition.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: stringKey(index.partitionKey),
          sortKey: index.sortKey ? stringKey(index.sortKey) : undefined,
          ...projectionOf(deployedProjection(index, dueIndexProjection)),
        });
      }
      this.tables[definition.logicalName as TableName] = table;
      // Against AWS the CLI takes the table names from these outputs (SPEC: Command line).
      new CfnOutput(this, tableOutputKey(definition.logicalName), { value: table.tableName });
    }
    this.linkSecret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'HMAC key of the one-click links in e-mails (survey answers)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
