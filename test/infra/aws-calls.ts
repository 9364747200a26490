import type { AwsCall, FunctionName } from '../../functions/local/aws-calls.js';

/**
 * Every AWS call each function's code makes, as IAM sees it (`action resource`; resources by logical
 * name, see functions/local/aws-calls.ts). Reviewed by hand, and held to the truth from both sides:
 *
 * - the integration tests record every call each handler makes (SDK middleware on the local runtimes'
 *   clients); a test file that makes a call missing here fails (test/integration/aws-calls.setup.ts),
 *   and after a full run, an entry here no test made fails too (test/aws-calls/recorded.test.ts);
 * - the infra tests evaluate each function's synthesized IAM policy: every call here must be allowed,
 *   and every grant must be needed by a call here or by what Lambda itself does for the function
 *   (logs, traces, stream reads, dead letters) (test/infra/stacks.test.ts).
 *
 * So a grant can neither lag behind the code nor outlive it without a test failing. This list is
 * committed, not written by the integration run, because vitest runs the infra tests alongside the
 * integration tests: they cannot wait for a file the other project writes.
 */
/**
 * What erasing one customer calls (DynamoErasureStore.deleteEverything and its receipts), as the
 * compute stack's `allowErasure` grants it: the customer stream's erasures and the dispatch
 * coordinator's second passes.
 */
const erasureDeletes: readonly AwsCall[] = [
  'dynamodb:BatchGetItem Control',
  'dynamodb:UpdateItem Control',
  'dynamodb:GetItem Customers', // the profile: its address, for their suppression; in a second pass, whether they registered again
  'dynamodb:Query Customers',
    'dynamodb:BatchWriteItem Customers',
    'dynamodb:Query Messages/index/byCustomer',
    'dynamodb:BatchWriteItem Messages',
    'dynamodb:DeleteItem Ledger',
    'dynamodb:GetItem Suppressions',
    'dynamodb:UpdateItem Suppressions',
];

export const awsCalls: Record<FunctionName, readonly AwsCall[]> = {
  planner: [
    'dynamodb:GetItem Control', // the configuration, the watermarks
    'dynamodb:UpdateItem Control', // the watermarks; the floor's reach kept with the configuration, once the planner caught up with it
    'dynamodb:Query Customers/index/byBirthday',
    'dynamodb:Query Customers/index/byRenewal',
    'dynamodb:BatchGetItem Customers',
    'dynamodb:Query Customers', // a customer's complaints, when a survey of theirs waits
    'dynamodb:PutItem Messages',
    'dynamodb:UpdateItem Messages',
    'dynamodb:GetItem Messages', // what holds a renewal reminder's id: an earlier term's reminder?
    'dynamodb:Query Messages/index/waitingByCustomer',
    'dynamodb:GetItem Ledger',
    'dynamodb:UpdateItem Ledger',
    'dynamodb:Query Ledger/index/byFloorCheck',
  ],
  dispatchCoordinator: [
    'sqs:SendMessage SendWorkQueue', // the run's parts, for the senders (SendMessageBatch)
    'ses:GetAccount account', // the send rate, which sets how many senders a run has
    'dynamodb:GetItem Control', // the configuration (sending.maxSendRate); the pending second passes an earlier version listed in one item
    'dynamodb:Query Control/index/bySecondPass', // the erasures whose second pass is due
    ...erasureDeletes, // their second passes
  ],
  dispatcher: [
    'dynamodb:GetItem Control',
    'dynamodb:Query Customers',
    'dynamodb:BatchGetItem Customers',
    'dynamodb:Query Messages/index/byDue',
    'dynamodb:PutItem Messages',
    'dynamodb:UpdateItem Messages',
    'dynamodb:Query Messages/index/waitingByCustomer',
    'dynamodb:GetItem Ledger',
    'dynamodb:BatchGetItem Ledger', // the run's keep-in-touch and survey customers' ledgers
    'dynamodb:UpdateItem Ledger',
    'dynamodb:BatchGetItem Suppressions', // is any recipient suppressed?
    'dynamodb:PutItem Suppressions', // an address SES refused for good
    'dynamodb:ConditionCheckItem Suppressions', // taking a customer off the floor only while their address is still suppressed
    'ses:SendEmail identity',
    'ses:SendEmail configuration-set',
    'ses:GetAccount account', // the account's sending rate, which sends are paced to (unless sending.maxSendRate is set)
    'secretsmanager:GetSecretValue LinkSecret',
  ],
  customerStream: [
    'dynamodb:GetItem Control',
    'dynamodb:Query Customers', // a new customer's records written before the profile (recordKeysOf); erasure too
    'dynamodb:UpdateItem Customers',
    'dynamodb:BatchGetItem Customers',
    'dynamodb:PutItem Messages',
    'dynamodb:UpdateItem Messages',
    'dynamodb:GetItem Messages', // what holds a renewal reminder's id: an earlier term's reminder?
    'dynamodb:Query Messages/index/waitingByCustomer',
    'dynamodb:GetItem Ledger',
    'dynamodb:UpdateItem Ledger',
    // Erasure (DynamoErasureStore): a profile's erasure record, its deletes.
    'dynamodb:DeleteItem Customers',
    ...erasureDeletes,
  ],
  links: [
    'dynamodb:GetItem Control', // the configuration: the brand its pages show
    'dynamodb:PutItem Customers',
    'dynamodb:BatchGetItem Customers',
    'secretsmanager:GetSecretValue LinkSecret',
  ],
  mailEvents: ['dynamodb:PutItem Suppressions'],
  pauseMarketing: [
    'dynamodb:GetItem Control', // the configuration as stored
    'dynamodb:PutItem Control', // with marketing paused, unless somebody wrote in between
  ],
};
