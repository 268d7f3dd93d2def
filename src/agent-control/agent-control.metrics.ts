import { Injectable, OnModuleInit } from '@nestjs/common';
import { PortalMetrics } from '../metrics/portal-metrics';
import { AgentControlService } from './agent-control.service';

/** `portal_agent_connections`: agents holding a control channel to this portal right now. */
@Injectable()
export class AgentControlMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: PortalMetrics,
    private readonly control: AgentControlService,
  ) {}

  onModuleInit(): void {
    this.metrics.addGauge({
      name: 'portal_agent_connections',
      help: 'Agent control-channel connections open on this portal.',
      labelNames: [],
      collect: () => Promise.resolve([{ labels: {}, value: this.control.all().length }]),
    });
  }
}
