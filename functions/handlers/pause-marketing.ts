import type { CloudWatchAlarmEvent } from 'aws-lambda';
import { lambdaRuntime, type HandlerRuntime } from '../adapters/runtime.js';
import { withSettingValue } from '../core/config-path.js';
import { withMiddlewares } from './middleware.js';

/** What the function logs when it pauses marketing: the runbook's search text. */
export const MARKETING_PAUSED_BY_ALARM = 'an SES reputation alarm paused marketing (sending.marketingPaused); ops clear it with config set';

/**
 * The action of the SES reputation alarms (bounce rate, complaint rate) when they go into ALARM: sets
 * `sending.marketingPaused`, so the dispatcher holds marketing messages (they wait, not lost) while
 * service messages go on. Only ops clear it (`config set sending.marketingPaused=false`): the alarm
 * clearing says the rate fell, not that its cause is mended. Anything but ALARM changes nothing. A
 * failure fails the invocation: Lambda retries it, then parks the event in the dead-letter queue.
 */
export const createPauseMarketingHandler = (runtime: HandlerRuntime) =>
  withMiddlewares(runtime, async (event: CloudWatchAlarmEvent) => {
    const alarm = { alarmArn: event.alarmArn, alarmName: event.alarmData?.alarmName, state: event.alarmData?.state?.value };
    if (alarm.state !== 'ALARM') {
      runtime.logger.warn('not an alarm going off: marketing left as it is', alarm);
      return { paused: false };
    }
    const change = await runtime.stores().config.update((stored) => withSettingValue(stored, 'sending.marketingPaused', true), runtime.clock());
    runtime.logger.warn(MARKETING_PAUSED_BY_ALARM, { ...alarm, reason: event.alarmData.state.reason, alreadyPaused: change.from === true });
    return { paused: true, alreadyPaused: change.from === true };
  });

export const handler = createPauseMarketingHandler(lambdaRuntime());
