import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ignoreConditionFailure, isConditionFailure, itemAtConditionFailure } from './conditions.js';
import type { LocalDate } from '../core/calendar.js';
import type { BandReach } from '../core/cadence.js';
import type { ControlStore, FloorReach, PlannerProgress, ResumePoint } from '../core/ports.js';
import { DynamoConfigStore } from './dynamo-config.js';

/** The Control item of a planner's watermark (and of where its last run stopped inside a date). */
export const watermarkKey = (planner: string) => `watermark#${planner}`;

/** The Control item of the planner's turn: which run holds it, and until when. */
export const PLANNER_TURN_KEY = 'turn#planner';

/** The Control table: planner watermarks, where a planner run stopped inside a date, and how far ahead the floor checks can lie (kept with the runtime configuration). */
export class DynamoControlStore implements ControlStore {
  /** The configuration's item, in the same table: the floor's reach is kept with it. */
  private readonly config: DynamoConfigStore;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.config = new DynamoConfigStore(client, tableName);
  }

  async progress(planner: string): Promise<PlannerProgress> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { key: watermarkKey(planner) }, ConsistentRead: true }));
    return { plannedThrough: Item?.plannedThrough as LocalDate | undefined, plannedWith: Item?.plannedWith as string | undefined, resume: Item?.resumeAfter as ResumePoint | undefined };
  }

  async setPlannedThrough(planner: string, date: LocalDate): Promise<void> {
    // Never moves back: two overlapping runs leave the later date.
    await this.updateWatermark(planner, {
      UpdateExpression: 'SET plannedThrough = :date REMOVE resumeAfter',
      ConditionExpression: 'attribute_not_exists(plannedThrough) OR plannedThrough < :date',
      ExpressionAttributeValues: { ':date': date },
    });
  }

  async restartPlanning(planner: string, settings: string): Promise<void> {
    await this.updateWatermark(planner, { UpdateExpression: 'SET plannedWith = :settings REMOVE plannedThrough, resumeAfter', ExpressionAttributeValues: { ':settings': settings } });
  }

  async setPlannedWith(planner: string, settings: string): Promise<void> {
    await this.updateWatermark(planner, { UpdateExpression: 'SET plannedWith = :settings', ExpressionAttributeValues: { ':settings': settings } });
  }

  floorReach(): Promise<FloorReach | undefined> {
    return this.config.floorReach();
  }

  settleFloorReach(reach: BandReach, revision: number | undefined): Promise<void> {
    return this.config.settleFloorReach(reach, revision);
  }

  async setResumePoint(planner: string, point: ResumePoint): Promise<void> {
    await this.updateWatermark(planner, { UpdateExpression: 'SET resumeAfter = :point', ExpressionAttributeValues: { ':point': point } });
  }

  /**
   * Forgets the planner's resume point if it names this customer (a partition's cursor is the key of the
   * last check read there, which names its customer: an erasure must leave their id nowhere); the
   * planner's next run then reads that date from its start.
   */
  async forgetResumePointAt(planner: string, customerId: string): Promise<void> {
    const after: unknown = (await this.progress(planner)).resume?.after;
    if (after === null || typeof after !== 'object') return;
    const names = (cursor: unknown) => cursor !== null && typeof cursor === 'object' && (cursor as Record<string, unknown>).customerId === customerId;
    // A cursor per partition, or one key for the whole date (a resume point an earlier version kept).
    const partition = Object.keys(after).find((name) => names((after as Record<string, unknown>)[name]));
    if (partition === undefined && !names(after)) return;
    await this.updateWatermark(planner, {
      UpdateExpression: 'REMOVE resumeAfter',
      ConditionExpression: partition === undefined ? 'resumeAfter.#after.customerId = :id' : 'resumeAfter.#after.#partition.customerId = :id',
      ExpressionAttributeNames: { '#after': 'after', ...(partition === undefined ? {} : { '#partition': partition }) },
      ExpressionAttributeValues: { ':id': customerId },
    });
  }

  async holdPlannerTurn(runId: string, now: Date, until: Date): Promise<string | undefined> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: PLANNER_TURN_KEY },
          UpdateExpression: 'SET runId = :run, heldUntil = :until',
          // Free, run out (a run that crashed holds it no longer than its own time), or already this run's (a retried request).
          ConditionExpression: 'attribute_not_exists(heldUntil) OR heldUntil <= :now OR runId = :run',
          ExpressionAttributeValues: { ':run': runId, ':until': until.toISOString(), ':now': now.toISOString() },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return String(itemAtConditionFailure(error)?.heldUntil);
    }
  }

  async releasePlannerTurn(runId: string, now: Date): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { key: PLANNER_TURN_KEY },
          UpdateExpression: 'SET heldUntil = :now',
          ConditionExpression: 'runId = :run',
          ExpressionAttributeValues: { ':run': runId, ':now': now.toISOString() },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  /** Updates the planner's watermark item; an update whose condition does not hold changes nothing, and is no error. */
  private async updateWatermark(planner: string, update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>): Promise<void> {
    await this.client.send(new UpdateCommand({ TableName: this.tableName, Key: { key: watermarkKey(planner) }, ...update })).catch(ignoreConditionFailure);
  }
}
