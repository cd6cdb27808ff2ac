import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/env';
import { JobQueue } from '../jobs/job-queue';
import { UserRepository } from './user.repository';

export const TOKEN_SWEEP_JOB = 'api-token-sweep';

/**
 * Expired API tokens are refused from the moment they expire (Authenticator); this nightly job on the project's queue
 * only clears them away once their owners have had API_TOKEN_KEEP_EXPIRED_DAYS to see in api_token_list that they
 * expired, so the table does not grow for ever with tokens nobody can use. Ended web sessions go in the same run.
 */
@Injectable()
export class TokenSweep implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(TOKEN_SWEEP_JOB, { retry: { limit: 2, delaySeconds: 300 }, timeoutSeconds: 10 * 60, handler: () => Promise.all([this.sweep(), this.sweepSessions()]).then(() => undefined) });
    this.jobs.schedule(TOKEN_SWEEP_JOB, '29 4 * * *');
  }

  /** Deletes the web logins (sessions) that have ended; they are refused from that moment anyway (Authenticator). */
  sweepSessions(): Promise<number> {
    return this.users.deleteEndedSessions(this.dataSource.manager);
  }

  /** Deletes the tokens that expired more than the kept days ago; answers how many. */
  sweep(): Promise<number> {
    return this.users.deleteTokensExpiredBefore(this.dataSource.manager, this.config.API_TOKEN_KEEP_EXPIRED_DAYS);
  }
}
