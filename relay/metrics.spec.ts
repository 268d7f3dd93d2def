import { RelayMetrics } from './metrics';

describe('RelayMetrics', () => {
  it('renders the Prometheus text format with bounded labels', () => {
    const m = new RelayMetrics();
    m.refused('token_expired');
    m.refused('token_expired');
    m.closed(4013);
    m.closed(4150);
    m.bytesAgentToTech = 42;
    const text = m.render(
      {
        connections: 2,
        pairsActive: 1,
        sidesWaiting: 0,
        pendingHandshakes: 0,
        eventsQueued: 3,
        recordingsActive: 1,
      },
      '1.2.3',
    );
    expect(text).toContain('# TYPE relay_pairs_active gauge\nrelay_pairs_active 1\n');
    expect(text).toContain('relay_handshakes_refused_total{reason="token_expired"} 2');
    expect(text).toContain('relay_closes_total{reason="peer_left"} 1');
    expect(text).toContain('relay_closes_total{reason="endpoint_defined"} 1');
    expect(text).toContain('relay_bytes_total{direction="agent_to_tech"} 42');
    expect(text).toContain('relay_recordings_active 1');
    expect(text).toContain('relay_build_info{version="1.2.3"} 1');
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trimEnd().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[a-z_]+="[\w.]+"\})? \d+)$/);
  });
});
