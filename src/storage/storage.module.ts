import { Global, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from '../common/logger';
import { LOGGER } from '../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../config/env';
import { FILE_STORAGE, FileStorage } from './file-storage';
import { LocalFileStorage } from './local-storage';
import { S3FileStorage } from './s3-storage';

/** The file store named by the settings: S3 when STORAGE_S3_BUCKET is set, else the local folder STORAGE_PATH. */
export function storageFromConfig(config: AppConfig): FileStorage {
  if (config.STORAGE_S3_BUCKET) {
    return new S3FileStorage({
      bucket: config.STORAGE_S3_BUCKET,
      endpoint: config.STORAGE_S3_ENDPOINT,
      region: config.STORAGE_S3_REGION,
      accessKeyId: config.STORAGE_S3_ACCESS_KEY_ID,
      secretAccessKey: config.STORAGE_S3_SECRET_ACCESS_KEY,
      forcePathStyle: config.STORAGE_S3_FORCE_PATH_STYLE,
      prefix: config.STORAGE_S3_PREFIX,
    });
  }
  return new LocalFileStorage(config.STORAGE_PATH);
}

/** Where uploaded files are kept; checked at start so a wrong bucket or folder fails loudly, not at the first upload. */
@Global()
@Module({
  providers: [{ provide: FILE_STORAGE, inject: [APP_CONFIG], useFactory: storageFromConfig }],
  exports: [FILE_STORAGE],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(FILE_STORAGE) private readonly storage: FileStorage, @Inject(LOGGER) private readonly log: Logger) {}

  async onModuleInit(): Promise<void> {
    await this.storage.check();
    this.log.info({ storage: this.storage.description }, 'file storage ready');
  }

  onApplicationShutdown(): void {
    if (this.storage instanceof S3FileStorage) this.storage.destroy();
  }
}
