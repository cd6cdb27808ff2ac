import { Module, OnModuleInit } from '@nestjs/common';
import { SensorPollers } from '../catalog/sensor-poller';
import { SensorsModule } from '../sensors.module';
import { Datex2Poller } from './datex2.poller';
import { PegelonlinePoller } from './pegelonline.poller';
import { PollWriter } from './poll-writer';

/** The pollers of sources that fetch (PEGELONLINE, DATEX II), registered with the `sensors.poll` job at start-up. */
@Module({
  imports: [SensorsModule],
  providers: [PollWriter, PegelonlinePoller, Datex2Poller],
  exports: [PegelonlinePoller, Datex2Poller, PollWriter],
})
export class SensorPollersModule implements OnModuleInit {
  constructor(
    private readonly pollers: SensorPollers,
    private readonly pegelonline: PegelonlinePoller,
    private readonly datex2: Datex2Poller,
  ) {}

  onModuleInit(): void {
    this.pollers.register(this.pegelonline);
    this.pollers.register(this.datex2);
  }
}
