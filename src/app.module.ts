import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CatalogModule } from './catalog/catalog.module';
import { SearchModule } from './search/search.module';
import { CoreModule, CoreOptions } from './core.module';
import { DatastoreModule } from './datastore/datastore.module';
import { DcatModule } from './dcat/dcat.module';
import { HarvestModule } from './harvest/harvest.module';
import { SensorPollersModule } from './sensors/pollers/pollers.module';
import { SensorPushModule } from './sensors/push/sensor-push.module';
import { SensorsModule } from './sensors/sensors.module';
import { SiteModule } from './site/site.module';
import { StorageModule } from './storage/storage.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  static register(core: CoreOptions): DynamicModule {
    return { module: AppModule, imports: [CoreModule.register(core), StorageModule, ApiModule.register(AuthModule), AuthModule, DcatModule, CatalogModule, SearchModule, DatastoreModule, SensorsModule, SensorPollersModule, SensorPushModule, SiteModule, AuditModule, HarvestModule, WebModule] };
  }
}
