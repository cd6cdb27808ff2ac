import { Injectable } from '@nestjs/common';
import type { ActionContext } from '../../api/action-context';
import type { Logger } from '../../common/logger';
import type { IngestWarning } from '../readings';
import type { SourceConfig, SourceType } from './sensor-source-config';

/** A source as a poller gets it: its settings with the secrets in clear, and where its last run stopped. */
export interface PolledSource {
  id: string;
  name: string;
  title: string;
  owner_org: string;
  type: SourceType;
  config: SourceConfig;
  /** What the last successful run stored as `PollResult.cursor` (`{}` at first). */
  cursor: Record<string, unknown>;
}

/** What one run of a poller is given. */
export interface PollContext {
  /**
   * The site acting (auth skipped), outside any transaction: hand it to SensorCatalog.syncStation and to the
   * observations writer, which commit what they write in transactions of their own.
   */
  ctx: ActionContext;
  /** The job's id and attempt (1 for the first). */
  jobId: string;
  attempt: number;
  log: Logger;
  /** Tells anyone following the job how far it is (a fraction 0..1 or null, and a message). */
  report(progress: number | null, message?: string): Promise<void>;
}

/** What one run did. */
export interface PollResult {
  /** Numbers of things done (`stations`, `readings`, `stored`, `duplicates`, `revised`, `invalid`...): added to the source's counts. */
  counts: Record<string, number>;
  /** Where the next run resumes (per series the last stored time, a site table version); replaces the stored cursor. */
  cursor?: Record<string, unknown>;
  /** What was skipped without failing the run (unknown sites, unmapped keys); the source's `last_warnings`. */
  warnings?: IngestWarning[];
}

/**
 * One kind of source that fetches on its own (PEGELONLINE, DATEX II, another SensorThings server): the job `sensors.poll`
 * hands it the source; it fetches, makes the stations' datasets (SensorCatalog.syncStation) and gives the readings to the
 * observations writer. It throws to fail the run: the error becomes the source's `last_error` (an IngestError's `code`
 * and `at` included), and the next run starts from the cursor of the last successful one.
 */
export interface SensorPoller {
  readonly type: SourceType;
  poll(source: PolledSource, ctx: PollContext): Promise<PollResult>;
}

/** The pollers by source type; the ingestion part registers its pollers here at start-up. */
@Injectable()
export class SensorPollers {
  private readonly pollers = new Map<SourceType, SensorPoller>();

  register(poller: SensorPoller): void {
    if (this.pollers.has(poller.type)) throw new Error(`a sensor poller for ${poller.type} is registered twice`);
    this.pollers.set(poller.type, poller);
  }

  get(type: SourceType): SensorPoller | undefined {
    return this.pollers.get(type);
  }
}
