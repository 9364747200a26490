import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { lambdaBundling } from './lambda-bundling.js';

/** Every function's Powertools service name: Logger's `service` key, and the `service` dimension Metrics adds to every metric. */
export const SERVICE_NAME = 'retention';

export interface RetentionFunctionProps {
  /** The handler file under functions/handlers/, without extension. */
  readonly handler: string;
  readonly description: string;
  /** Chosen per function: how long its longest run may take. */
  readonly timeout: Duration;
  readonly environment?: Record<string, string>;
}

/**
 * Every Lambda of the product, with our defaults in one place: the newest Node.js (the only one cdk-nag's
 * L1 accepts) on ARM, X-Ray tracing, an ESM bundle minified by the local esbuild (no Docker), its own log
 * group kept a month, and a role of its own that may only write to that log group until grants add what
 * it needs.
 */
export class RetentionFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: RetentionFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} function`,
    });
    // CreateLogStream and PutLogEvents on this group only (its ARN ends in `:*`, which covers its streams);
    // no AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: fileURLToPath(new URL(`../functions/handlers/${props.handler}.ts`, import.meta.url)),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: { POWERTOOLS_SERVICE_NAME: SERVICE_NAME, NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        banner: lambdaBundling.banner,
        externalModules: [...lambdaBundling.externalModules],
        mainFields: [...lambdaBundling.mainFields],
        esbuildArgs: { '--alias': Object.entries(lambdaBundling.alias).map(([module, path]) => `${module}=${path}`) },
        forceDockerBundling: false,
      },
    });
  }
}
