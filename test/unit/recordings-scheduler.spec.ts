import type { ScreenRecord } from '../../contracts/recording/format';
import {
  RecordScheduler,
  seekPlan,
  type PlaybackTimers,
} from '../../client/src/app/recordings/record-scheduler';
import { RecordedChannel } from '../../client/src/app/recordings/recorded-channel';
import {
  AHEAD_CHUNKS,
  brokenAtOf,
  CHUNK_RETRY_DELAYS_MS,
  mayFetch,
  retryable,
  WHOLE_RECORDING_BUDGET_BYTES,
  windowed,
} from '../../client/src/app/recordings/chunk-loading';

/** Timers that move only when the test says so. */
class FakeClock implements PlaybackTimers {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  /** Advances time, firing each timer due on the way (in order). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers)
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
  }
  get pending(): number {
    return this.timers.size;
  }
}

const rec = (atMs: number, direction: 0 | 1 = 0, size = 1): ScreenRecord => ({
  direction,
  atMs,
  data: new Uint8Array(size).fill(atMs % 256),
});

function setup(options: { fastBatchBytes?: number } = {}) {
  const clock = new FakeClock();
  const delivered: number[] = [];
  const positions: number[] = [];
  let rewinds = 0;
  let ended = 0;
  const scheduler = new RecordScheduler({
    timers: clock,
    deliver: (r) => delivered.push(r.atMs),
    rewind: () => {
      rewinds++;
      delivered.length = 0;
    },
    onPosition: (ms) => positions.push(ms),
    onEnd: () => ended++,
    tickMs: 250,
    ...options,
  });
  return {
    clock,
    scheduler,
    delivered,
    positions,
    rewinds: () => rewinds,
    ended: () => ended,
  };
}

describe('the record scheduler', () => {
  it('delivers records at their recorded times', () => {
    const { clock, scheduler, delivered } = setup();
    scheduler.append([rec(0), rec(100), rec(1000), rec(1000, 1), rec(2500)], 3000);
    scheduler.finish(3000);
    scheduler.play();
    expect(delivered).toEqual([0]);
    clock.advance(99);
    expect(delivered).toEqual([0]);
    clock.advance(1);
    expect(delivered).toEqual([0, 100]);
    clock.advance(900);
    expect(delivered).toEqual([0, 100, 1000, 1000]);
    clock.advance(1499);
    expect(delivered).toHaveLength(4);
    clock.advance(1);
    expect(delivered).toEqual([0, 100, 1000, 1000, 2500]);
  });

  it('plays faster at 2× and 4×, from where it is', () => {
    const { clock, scheduler, delivered } = setup();
    scheduler.append([rec(0), rec(1000), rec(3000)], 4000);
    scheduler.finish(4000);
    scheduler.play();
    clock.advance(500);
    scheduler.setSpeed(4);
    expect(scheduler.position()).toBe(500);
    clock.advance(124);
    expect(delivered).toEqual([0]);
    clock.advance(1);
    expect(delivered).toEqual([0, 1000]);
    scheduler.setSpeed(2);
    clock.advance(1000);
    expect(delivered).toEqual([0, 1000, 3000]);
  });

  it('holds still while paused and reports the position', () => {
    const { clock, scheduler, delivered, positions } = setup();
    scheduler.append([rec(0), rec(1000)], 2000);
    scheduler.finish(2000);
    scheduler.play();
    clock.advance(600);
    scheduler.pause();
    expect(positions.at(-1)).toBe(600);
    clock.advance(5000);
    expect(delivered).toEqual([0]);
    expect(clock.pending).toBe(0);
    scheduler.play();
    clock.advance(400);
    expect(delivered).toEqual([0, 1000]);
  });

  it('reports the position on a regular tick while playing', () => {
    const { clock, scheduler, positions } = setup();
    scheduler.append([rec(0), rec(5000)], 6000);
    scheduler.finish(6000);
    scheduler.play();
    positions.length = 0;
    clock.advance(1000);
    expect(positions).toEqual([250, 500, 750, 1000]);
  });

  it('ends at the end of the recording, and plays again from the start', () => {
    const { clock, scheduler, delivered, ended, rewinds } = setup();
    scheduler.append([rec(0), rec(100)], 1000);
    scheduler.finish(1000);
    scheduler.play();
    clock.advance(2000);
    expect(ended()).toBe(1);
    expect(scheduler.isPlaying).toBe(false);
    expect(scheduler.position()).toBe(1000);
    scheduler.play();
    expect(rewinds()).toBe(1);
    expect(delivered).toEqual([0]);
  });

  it('waits for the next chunk instead of running past what is loaded', () => {
    const { clock, scheduler, delivered } = setup();
    scheduler.append([rec(0), rec(500)], 1000);
    scheduler.play();
    clock.advance(3000);
    expect(scheduler.position()).toBe(1000);
    expect(clock.pending).toBe(0);
    scheduler.append([rec(1200)], 2000);
    expect(delivered).toEqual([0, 500]);
    clock.advance(199);
    expect(delivered).toEqual([0, 500]);
    clock.advance(1);
    expect(delivered).toEqual([0, 500, 1200]);
  });

  it('seeks forward by feeding the records in between at once, then plays on at recorded timing', () => {
    const { clock, scheduler, delivered, rewinds, positions } = setup();
    scheduler.append([rec(0), rec(1000), rec(2000), rec(3000), rec(4000)], 5000);
    scheduler.finish(5000);
    scheduler.play();
    expect(scheduler.seek(2500)).toBe('forward');
    expect(rewinds()).toBe(0);
    expect(delivered).toEqual([0, 1000, 2000]);
    expect(positions.at(-1)).toBe(2500);
    clock.advance(499);
    expect(delivered).toHaveLength(3);
    clock.advance(1);
    expect(delivered).toEqual([0, 1000, 2000, 3000]);
  });

  it('seeks backwards by rebuilding and replaying from the start', () => {
    const { clock, scheduler, delivered, rewinds } = setup();
    scheduler.append([rec(0), rec(1000), rec(2000), rec(3000)], 4000);
    scheduler.finish(4000);
    scheduler.play();
    clock.advance(3500);
    expect(delivered).toEqual([0, 1000, 2000, 3000]);
    expect(scheduler.seek(1500)).toBe('rebuild');
    expect(rewinds()).toBe(1);
    expect(delivered).toEqual([0, 1000]);
    expect(scheduler.position()).toBe(1500);
    clock.advance(500);
    expect(delivered).toEqual([0, 1000, 2000]);
  });

  it('yields between batches while fast-forwarding, so the viewer can draw', () => {
    const { clock, scheduler, delivered } = setup({ fastBatchBytes: 10 });
    scheduler.append([rec(0, 0, 6), rec(10, 0, 6), rec(20, 0, 6), rec(30, 0, 6), rec(40, 0, 6)], 100);
    scheduler.finish(100);
    scheduler.seek(35);
    expect(delivered).toEqual([0, 10]);
    expect(scheduler.seeking).toBe(true);
    clock.advance(0);
    expect(delivered).toEqual([0, 10, 20, 30]);
    expect(scheduler.seeking).toBe(false);
    expect(scheduler.position()).toBe(35);
    expect(scheduler.isPlaying).toBe(false);
  });

  it('a seek past what is loaded completes when the chunk arrives', () => {
    const { scheduler, delivered } = setup();
    scheduler.append([rec(0), rec(500)], 1000);
    scheduler.seek(800);
    expect(delivered).toEqual([0, 500]);
    expect(scheduler.position()).toBe(800);
    scheduler.finish(1000);
    expect(scheduler.seek(5000)).toBe('forward');
    expect(scheduler.position()).toBe(1000);
  });

  it('plans a rebuild only for a target behind the viewer', () => {
    expect(seekPlan(1000, 999)).toBe('rebuild');
    expect(seekPlan(1000, 1000)).toBe('forward');
    expect(seekPlan(1000, 60_000)).toBe('forward');
  });

  it('stops every timer when the page leaves', () => {
    const { clock, scheduler } = setup();
    scheduler.append([rec(0), rec(10_000)], 20_000);
    scheduler.play();
    expect(clock.pending).toBe(1);
    scheduler.stop();
    expect(clock.pending).toBe(0);
  });
});

describe('the recorded channel', () => {
  it('has what noVNC checks for, is open at once, and drops what noVNC sends', () => {
    const channel = new RecordedChannel();
    const names = [...Object.keys(channel), ...Object.getOwnPropertyNames(Object.getPrototypeOf(channel))];
    for (const prop of [
      'send',
      'close',
      'binaryType',
      'onerror',
      'onmessage',
      'onopen',
      'protocol',
      'readyState',
    ])
      expect(names).toContain(prop);
    expect(channel.readyState).toBe(1);
    const got: Uint8Array[] = [];
    channel.onmessage = (e) => got.push(e.data as Uint8Array);
    channel.receive(Uint8Array.from([82, 70, 66]));
    channel.send(Uint8Array.from([1, 2, 3, 4]));
    expect(got).toEqual([Uint8Array.from([82, 70, 66])]);
    expect(channel.dropped).toBe(4);
  });

  it('closes as a WebSocket does: closing at once, closed with onclose a moment later', async () => {
    const channel = new RecordedChannel();
    const got: Uint8Array[] = [];
    channel.onmessage = (e) => got.push(e.data as Uint8Array);
    const states: number[] = [];
    const closed = new Promise<void>((resolve) => {
      channel.onclose = () => {
        states.push(channel.readyState);
        resolve();
      };
    });
    channel.close();
    // noVNC arms its disconnect timer after close() returns: onclose must not have run yet.
    expect(channel.readyState).toBe(2);
    expect(states).toEqual([]);
    channel.close();
    channel.receive(Uint8Array.from([1]));
    await closed;
    expect(states).toEqual([3]);
    expect(channel.readyState).toBe(3);
    expect(got).toHaveLength(0);
  });
});

/** A finished recording of records at `atMs` played into a viewer whose backlog the test switches with `busy`. */
function backloggedViewer(busy: boolean, atMs: number[], endMs: number) {
  const clock = new FakeClock();
  const delivered: number[] = [];
  const viewer = { clock, delivered, busy, scheduler: undefined as unknown as RecordScheduler };
  viewer.scheduler = new RecordScheduler({
    timers: clock,
    deliver: (r) => delivered.push(r.atMs),
    rewind: () => undefined,
    backlogged: () => viewer.busy,
  });
  viewer.scheduler.append(
    atMs.map((at) => rec(at)),
    endMs,
  );
  viewer.scheduler.finish(endMs);
  return viewer;
}

describe('fast-forwarding into a busy viewer', () => {
  it('waits while the viewer reports a backlog, then goes on', () => {
    const viewer = backloggedViewer(true, [0, 10, 20], 100);
    const { clock, delivered, scheduler } = viewer;
    scheduler.seek(50);
    expect(delivered).toEqual([]);
    clock.advance(100);
    expect(delivered).toEqual([]);
    viewer.busy = false;
    clock.advance(16);
    expect(delivered).toEqual([0, 10, 20]);
    expect(scheduler.position()).toBe(50);
  });
});

describe('when the viewer fails or falls behind', () => {
  it('pauses and reports a viewer that throws, instead of freezing with no timer', () => {
    const clock = new FakeClock();
    const delivered: number[] = [];
    const errors: unknown[] = [];
    const scheduler = new RecordScheduler({
      timers: clock,
      deliver: (r) => {
        if (r.atMs === 1000) throw new Error('Receive queue buffer exceeded');
        delivered.push(r.atMs);
      },
      rewind: () => (delivered.length = 0),
      onError: (e) => errors.push(e),
    });
    scheduler.append([rec(0), rec(1000), rec(2000)], 3000);
    scheduler.finish(3000);
    scheduler.play();
    clock.advance(1500);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('Receive queue buffer exceeded');
    expect(scheduler.isPlaying).toBe(false);
    expect(clock.pending).toBe(0);
    expect(delivered).toEqual([0]);
    // The same failure during a seek ends the seek too.
    scheduler.seek(0);
    expect(scheduler.seek(2500)).toBe('forward');
    expect(scheduler.seeking).toBe(false);
    expect(errors).toHaveLength(2);
  });

  it('holds the position during playback while the viewer reports a backlog, then plays on', () => {
    const viewer = backloggedViewer(false, [0, 1000, 2000], 3000);
    const { clock, delivered, scheduler } = viewer;
    scheduler.play();
    clock.advance(500);
    viewer.busy = true;
    clock.advance(5000);
    expect(delivered).toEqual([0]);
    const held = scheduler.position();
    expect(held).toBeLessThan(1000);
    viewer.busy = false;
    clock.advance(16);
    expect(scheduler.position()).toBeLessThan(1000);
    clock.advance(1000 - held);
    expect(delivered).toEqual([0, 1000]);
  });

  it('a pause during a seek lets the seek reach its target', () => {
    const { clock, scheduler, delivered } = setup({ fastBatchBytes: 10 });
    scheduler.append([rec(0, 0, 6), rec(10, 0, 6), rec(20, 0, 6), rec(30, 0, 6), rec(40, 0, 6)], 100);
    scheduler.finish(100);
    scheduler.play();
    scheduler.seek(35);
    expect(scheduler.seeking).toBe(true);
    scheduler.pause();
    clock.advance(0);
    expect(delivered).toEqual([0, 10, 20, 30]);
    expect(scheduler.seeking).toBe(false);
    expect(scheduler.position()).toBe(35);
    expect(scheduler.isPlaying).toBe(false);
    clock.advance(1000);
    expect(delivered).toEqual([0, 10, 20, 30]);
  });
});

describe('a long recording held in a window', () => {
  it('drops delivered records, and a seek backwards asks for every chunk again', () => {
    const clock = new FakeClock();
    const delivered: number[] = [];
    let rewinds = 0;
    let refetches = 0;
    const scheduler = new RecordScheduler({
      timers: clock,
      deliver: (r) => delivered.push(r.atMs),
      rewind: () => {
        rewinds++;
        delivered.length = 0;
      },
      refetch: () => refetches++,
    });
    scheduler.expectDuration(4000);
    scheduler.append([rec(0), rec(1000)], 2000);
    scheduler.play();
    clock.advance(1500);
    scheduler.forgetDelivered();
    expect(scheduler.heldRecords).toBe(0);
    scheduler.append([rec(2000), rec(3000)], 4000);
    clock.advance(1000);
    expect(delivered).toEqual([0, 1000, 2000]);
    scheduler.forgetDelivered();
    expect(scheduler.seek(500)).toBe('rebuild');
    expect(rewinds).toBe(1);
    expect(refetches).toBe(1);
    expect(scheduler.heldRecords).toBe(0);
    expect(scheduler.seeking).toBe(true);
    expect(scheduler.wantedMs).toBe(500);
    // The chunks come again from the first: the seek completes and playback goes on from there.
    scheduler.append([rec(0), rec(1000)], 2000);
    expect(delivered).toEqual([0]);
    expect(scheduler.seeking).toBe(false);
    expect(scheduler.position()).toBe(500);
    clock.advance(500);
    expect(delivered).toEqual([0, 1000]);
  });

  it('a seek may aim past what is loaded, up to the expected duration, and completes as chunks arrive', () => {
    const { scheduler, delivered } = setup();
    scheduler.expectDuration(10_000);
    scheduler.append([rec(0), rec(500)], 1000);
    scheduler.seek(60_000);
    expect(scheduler.wantedMs).toBe(10_000);
    expect(scheduler.seeking).toBe(true);
    scheduler.append([rec(5000)], 10_000);
    scheduler.finish(10_000);
    expect(delivered).toEqual([0, 500, 5000]);
    expect(scheduler.seeking).toBe(false);
    expect(scheduler.position()).toBe(10_000);
  });
});

describe('loading the chunks', () => {
  const chunks = (n: number, bytes: number) =>
    Array.from({ length: n }, (_, i) => ({ index: i, startMs: i * 10_000, endMs: (i + 1) * 10_000, bytes }));

  it('holds a recording within the budget whole, and a larger one in a window', () => {
    expect(windowed(chunks(10, 1024 * 1024), 10)).toBe(false);
    expect(windowed(chunks(100, 4 * 1024 * 1024), 100)).toBe(true);
    // Only the playable chunks count.
    expect(windowed(chunks(100, 4 * 1024 * 1024), 10)).toBe(false);
    expect(WHOLE_RECORDING_BUDGET_BYTES).toBe(256 * 1024 * 1024);
  });

  it('fetches a few chunks ahead of the playhead only, for a windowed recording', () => {
    const list = chunks(100, 4 * 1024 * 1024);
    expect(mayFetch(list, 99, 0, false)).toBe(true);
    expect(mayFetch(list, 0, 0, true)).toBe(true);
    expect(mayFetch(list, 1 + AHEAD_CHUNKS, 0, true)).toBe(true);
    expect(mayFetch(list, 2 + AHEAD_CHUNKS, 0, true)).toBe(false);
    // At 25 s the playhead is in chunk 2: chunks up to 2 + 1 + 3 may come.
    expect(mayFetch(list, 6, 25_000, true)).toBe(true);
    expect(mayFetch(list, 7, 25_000, true)).toBe(false);
    // Long chunks: the next one always, the others only within a minute of the playhead.
    const long = Array.from({ length: 10 }, (_, i) => ({ startMs: i * 120_000, endMs: (i + 1) * 120_000 }));
    expect(mayFetch(long, 1, 0, true)).toBe(true);
    expect(mayFetch(long, 2, 0, true)).toBe(false);
  });

  it('retries network failures and 5xx answers, not 4xx; tries three more times', () => {
    expect(retryable({ status: 0, code: 'network_error', message: '' })).toBe(true);
    expect(retryable({ status: 503, code: 'unavailable', message: '' })).toBe(true);
    expect(retryable({ status: 404, code: 'recording_not_found', message: '' })).toBe(false);
    expect(retryable({ status: 409, code: 'recording_broken', message: '' })).toBe(false);
    expect(CHUNK_RETRY_DELAYS_MS).toHaveLength(3);
  });

  it('reads where a recording breaks from the header, the message, or the chunk asked for', () => {
    const broken = { status: 409, code: 'recording_broken', message: 'It cannot be trusted.' };
    expect(brokenAtOf({ ...broken, details: { 'x-recording-broken-at': '4' } }, 7)).toBe(4);
    expect(brokenAtOf({ ...broken, details: { 'x-recording-broken-at': 'x' } }, 7)).toBe(7);
    expect(
      brokenAtOf(
        { ...broken, message: 'This recording cannot be trusted from chunk 3 on (hash_mismatch).' },
        7,
      ),
    ).toBe(3);
    expect(brokenAtOf(broken, 7)).toBe(7);
    expect(brokenAtOf({ status: 404, code: 'recording_not_found', message: '' }, 7)).toBeNull();
  });
});

describe('starting over', () => {
  it('forgets every record and the position on reset (another recording in the same player)', () => {
    const { clock, scheduler, delivered } = setup();
    scheduler.append([rec(0), rec(1000)], 2000);
    scheduler.finish(2000);
    scheduler.play();
    clock.advance(1500);
    scheduler.reset();
    expect(scheduler.isPlaying).toBe(false);
    expect(scheduler.position()).toBe(0);
    expect(scheduler.loadedMs).toBe(0);
    expect(scheduler.heldRecords).toBe(0);
    expect(clock.pending).toBe(0);
    delivered.length = 0;
    scheduler.append([rec(0), rec(300)], 600);
    scheduler.play();
    clock.advance(300);
    expect(delivered).toEqual([0, 300]);
  });
});
