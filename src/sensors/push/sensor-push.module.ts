import { Module } from '@nestjs/common';
import { AuthModule } from '../../auth/auth.module';
import { SensorsModule } from '../sensors.module';
import { SensorPushController } from './sensor-push.controller';
import { SensorPushService } from './sensor-push.service';

/** HTTP push of `push` sources' batches (`POST /api/3/action/sensor_push`). */
@Module({
  imports: [SensorsModule, AuthModule],
  providers: [SensorPushService],
  controllers: [SensorPushController],
  exports: [SensorPushService],
})
export class SensorPushModule {}
