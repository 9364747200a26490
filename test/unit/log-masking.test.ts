import { afterEach, describe, expect, it, vi } from 'vitest';
import { retentionLogger } from '../../functions/adapters/runtime.js';
import { StreamFailureLog } from '../../functions/local/local-runtime.js';
import { STREAM_RECORD_FAILED } from '../../functions/handlers/customer-stream.js';

/** What the logger writes, to stdout and stderr, while `log` runs. */
const written = (log: () => void): string => {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  log();
  vi.restoreAllMocks();
  return chunks.join('');
};

afterEach(() => vi.restoreAllMocks());

describe('what a function logs', () => {
  it('has every address masked, in the message, in nested fields and in errors', () => {
    // Prepare: a business whose customer ids are addresses
    const logger = retentionLogger({ serviceName: 'test', logLevel: 'INFO' });

    // Act
    const out = written(() =>
      logger.error('failed for ana.garcia@example.com', {
        messageId: 'ana.garcia@example.com#birthday#2027',
        key: { customerId: 'ana.garcia@example.com', recordKey: 'customer' },
        ids: ['ion.popescu@example.ro#renewal#k-7#30'],
        error: new Error("MessageRejected: Address blacklisted: mary.o'connor@example.org"),
      }),
    );

    // Assess
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(line.message).toBe('failed for a***@example.com');
    expect(line.messageId).toBe('a***@example.com#birthday#2027');
    expect(line.key).toEqual({ customerId: 'a***@example.com', recordKey: 'customer' });
    expect(line.ids).toEqual(['i***@example.ro#renewal#k-7#30']);
    expect(JSON.stringify(line.error)).toContain('m***@example.org');
    for (const address of ['ana.garcia@', 'ion.popescu@', "o'connor@"]) expect(out).not.toContain(address);
  });

  it('masks them in the local runner’s stream log too, and in the reasons it keeps for its report', () => {
    const log = new StreamFailureLog();
    log.setLogLevel('WARN'); // as quiet as the local runner is by default, whatever the tests' environment says
    const out = written(() => log.warn(STREAM_RECORD_FAILED, { sequenceNumber: '42', error: 'ana.garcia@example.com: profile: birthday "1990-13-01" is not a date' }));
    expect(log.reasons.get('42')).toBe('a***@example.com: profile: birthday "1990-13-01" is not a date');
    expect(out).toContain('a***@example.com: profile');
    expect(out).not.toContain('ana.garcia@');
  });
});
