import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../../api/action-registry';
import { AuthModule } from '../../auth/auth.module';
import { SensorsModule } from '../sensors.module';
import { SensorPushActions } from './sensor-push.actions';
import { SensorPushController } from './sensor-push.controller';
import { SensorPushService } from './sensor-push.service';

/** HTTP push of `push` sources' batches (`POST /api/3/action/sensor_push`). */
@Module({
  imports: [SensorsModule, AuthModule],
  providers: [SensorPushService, SensorPushActions],
  controllers: [SensorPushController],
  exports: [SensorPushService],
})
export class SensorPushModule implements OnModuleInit {
  constructor(
    private readonly registry: ActionRegistry,
    private readonly actions: SensorPushActions,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.actions.all());
  }
}
