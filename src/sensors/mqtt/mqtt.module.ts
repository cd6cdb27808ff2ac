import { Module } from '@nestjs/common';
import type { Logger } from '../../common/logger';
import { LOGGER } from '../../common/logger.provider';
import { APP_CONFIG, AppConfig } from '../../config/env';
import { Database } from '../../database/database.module';
import { MqttIngest } from './mqtt-ingest';
import { MqttPublisher } from './mqtt-publisher';
import { mqttSettings } from './mqtt-settings';

/**
 * MQTT transport for sensor ingestion and SensorThings updates. Its handlers write to the database, so it stops
 * before the database closes: in beforeApplicationShutdown, and through Database.closeBefore at the latest.
 */
@Module({
  providers: [
    {
      provide: MqttIngest,
      inject: [APP_CONFIG, Database, LOGGER],
      useFactory: (config: AppConfig, database: Database, log: Logger) => {
        const mqtt = new MqttIngest(mqttSettings(config), log.child({ component: 'mqtt' }));
        database.closeBefore(() => mqtt.stop());
        return mqtt;
      },
    },
    { provide: MqttPublisher, inject: [MqttIngest, LOGGER], useFactory: (mqtt: MqttIngest, log: Logger) => new MqttPublisher(mqtt, log.child({ component: 'mqtt' })) },
  ],
  exports: [MqttIngest, MqttPublisher],
})
export class MqttModule {}
