import { describeCloseCode } from '../contracts/relay-close-codes';

/** Values read at scrape time. */
export interface RelayGauges {
  readonly connections: number;
  readonly pairsActive: number;
  readonly sidesWaiting: number;
  readonly pendingHandshakes: number;
  readonly eventsQueued: number;
  readonly recordingsActive: number;
}

/**
 * Counters of the relay, rendered in the Prometheus text exposition format (version 0.0.4).
 * Label values come only from fixed sets (close-code names, refusal names), so cardinality is bounded.
 */
export class RelayMetrics {
  connectionsTotal = 0;
  pairsTotal = 0;
  bytesAgentToTech = 0;
  bytesTechToAgent = 0;
  backpressurePauses = 0;
  ratePauses = 0;
  heartbeatTerminations = 0;
  eventsSent = 0;
  eventsDropped = 0;
  eventDeliveryFailures = 0;
  recordingsTotal = 0;
  recordingChunksTotal = 0;
  recordingBytes = 0;
  recordingFailures = 0;
  recordingPauses = 0;
  private readonly refusals = new Map<string, number>();
  private readonly closes = new Map<string, number>();

  refused(reason: string): void {
    this.refusals.set(reason, (this.refusals.get(reason) ?? 0) + 1);
  }

  closed(code: number): void {
    const name = describeCloseCode(code).name;
    this.closes.set(name, (this.closes.get(name) ?? 0) + 1);
  }

  render(gauges: RelayGauges, version: string): string {
    const out: string[] = [];
    const metric = (
      name: string,
      type: 'counter' | 'gauge',
      help: string,
      samples: ReadonlyArray<[string, number]>,
    ): void => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
    };
    const labelled = (label: string, map: ReadonlyMap<string, number>): Array<[string, number]> =>
      [...map].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [`{${label}="${k}"}`, v]);
    const mem = process.memoryUsage();

    metric('relay_build_info', 'gauge', 'Relay version.', [[`{version="${version}"}`, 1]]);
    metric('relay_connections', 'gauge', 'Open WebSocket connections.', [['', gauges.connections]]);
    metric('relay_pairs_active', 'gauge', 'Pairs with both sides connected.', [['', gauges.pairsActive]]);
    metric('relay_sides_waiting', 'gauge', 'Sides connected and waiting for their peer.', [
      ['', gauges.sidesWaiting],
    ]);
    metric('relay_handshakes_pending', 'gauge', 'Upgrade requests being verified.', [
      ['', gauges.pendingHandshakes],
    ]);
    metric('relay_connections_total', 'counter', 'WebSocket connections accepted.', [
      ['', this.connectionsTotal],
    ]);
    metric('relay_pairs_total', 'counter', 'Pairs formed.', [['', this.pairsTotal]]);
    metric('relay_bytes_total', 'counter', 'Payload bytes relayed.', [
      ['{direction="agent_to_tech"}', this.bytesAgentToTech],
      ['{direction="tech_to_agent"}', this.bytesTechToAgent],
    ]);
    metric(
      'relay_handshakes_refused_total',
      'counter',
      'Upgrade requests refused, by reason.',
      labelled('reason', this.refusals),
    );
    metric(
      'relay_closes_total',
      'counter',
      'Pairs and lone sides closed, by close reason.',
      labelled('reason', this.closes),
    );
    metric('relay_backpressure_pauses_total', 'counter', 'Times a sender was paused for a slow receiver.', [
      ['', this.backpressurePauses],
    ]);
    metric('relay_rate_limit_pauses_total', 'counter', 'Times a pair was paused by the byte-rate cap.', [
      ['', this.ratePauses],
    ]);
    metric('relay_heartbeat_terminations_total', 'counter', 'Connections cut for missing heartbeats.', [
      ['', this.heartbeatTerminations],
    ]);
    metric('relay_events_sent_total', 'counter', 'Events delivered to the portal.', [['', this.eventsSent]]);
    metric('relay_events_dropped_total', 'counter', 'Events dropped (queue full or retries exhausted).', [
      ['', this.eventsDropped],
    ]);
    metric('relay_events_queued', 'gauge', 'Events waiting for delivery.', [['', gauges.eventsQueued]]);
    metric('relay_event_delivery_failures_total', 'counter', 'Failed delivery attempts to the portal.', [
      ['', this.eventDeliveryFailures],
    ]);
    metric('relay_recordings_active', 'gauge', 'Recordings being written.', [['', gauges.recordingsActive]]);
    metric('relay_recordings_total', 'counter', 'Recordings started.', [['', this.recordingsTotal]]);
    metric('relay_recording_chunks_total', 'counter', 'Recording chunks closed durably.', [
      ['', this.recordingChunksTotal],
    ]);
    metric('relay_recording_bytes_total', 'counter', 'Bytes written to recording chunks closed durably.', [
      ['', this.recordingBytes],
    ]);
    metric('relay_recording_failures_total', 'counter', 'Recordings the store refused.', [
      ['', this.recordingFailures],
    ]);
    metric('relay_recording_pauses_total', 'counter', 'Times a sender was paused for the recording store.', [
      ['', this.recordingPauses],
    ]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [['', mem.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap in use, in bytes.', [['', mem.heapUsed]]);
    metric('nodejs_external_memory_bytes', 'gauge', 'Memory of Buffers and other C++ objects, in bytes.', [
      ['', mem.external],
    ]);
    return `${out.join('\n')}\n`;
  }
}
