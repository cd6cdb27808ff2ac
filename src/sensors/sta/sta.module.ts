import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { MqttModule } from '../mqtt/mqtt.module';
import { StaReadController } from './sta-read.controller';
import { StaReadRepository } from './sta-read.repository';

/** The SensorThings API v1.1 at /sta/v1.1 (reads; the query language is in query/). */
@Module({
  imports: [AuthModule, MqttModule],
  controllers: [StaReadController],
  providers: [StaReadRepository],
  exports: [StaReadRepository],
})
export class StaModule {}
