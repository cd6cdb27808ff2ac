import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AggregateRepository } from './aggregate.repository';

/** The job that brings the hourly and daily aggregates up to date. */
export const AGGREGATE_JOB = 'sensors.aggregate';
/**
 * Days are local days of the platform's users (German municipalities): a daily bucket starts at local midnight and
 * has 23, 24 or 25 hours. Its offsets are whole hours, so a day is exactly a set of hourly buckets.
 */
export const AGGREGATE_DAY_ZONE = 'Europe/Berlin';
/** Pending hours taken per transaction. */
const CHUNK = 20_000;

export interface AggregateRun {
  hours: number;
  days: number;
}

/**
 * Hourly and daily min/max/avg/sum/count per datastream (sensor_aggregate), kept up to date incrementally: the writer
 * notes each (datastream, hour) a batch touched in sensor_aggregate_pending, and a run recomputes exactly those hours
 * from the observations and the days that hold them from the hours. Only `good` and `suspect` readings with a value
 * count: missing and invalid ones never reach an aggregate. Runs are serialised (an advisory lock), so two of them
 * never compute one day from each other's half-written hours.
 */
@Injectable()
export class AggregateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: AggregateRepository,
  ) {}

  /** Works off every pending hour; answers how many hours and days were recomputed. */
  async run(): Promise<AggregateRun> {
    const total: AggregateRun = { hours: 0, days: 0 };
    for (;;) {
      const step = await this.step();
      total.hours += step.hours;
      total.days += step.days;
      if (step.hours < CHUNK) return total;
    }
  }

  private step(): Promise<AggregateRun> {
    return this.dataSource.transaction((tx) => this.repo.recomputePending(tx, CHUNK, AGGREGATE_DAY_ZONE));
  }
}
