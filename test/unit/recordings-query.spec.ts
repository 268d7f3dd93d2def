import { RECORDING_LIMITS } from '../../contracts/api/recordings';
import { hasNextPage, recordingsQuery } from '../../client/src/app/recordings/recordings-query';

const query = (search: string) => recordingsQuery(new URLSearchParams(search));

describe("the Recordings page's query string", () => {
  it('reads every filter', () => {
    expect(
      query(
        'channel=screen&status=incomplete&integrity=broken&legalHold=true&technicianId=t-1&deviceId=d-1' +
          '&sessionId=s-1&from=2026-12-01T00:00:00.000Z&to=2026-12-02T00:00:00.000Z&offset=50',
      ),
    ).toEqual({
      channel: 'screen',
      status: 'incomplete',
      integrity: 'broken',
      legalHold: true,
      technicianId: 't-1',
      deviceId: 'd-1',
      sessionId: 's-1',
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      offset: 50,
    });
    expect(query('legalHold=false').legalHold).toBe(false);
  });

  it('drops values it does not know and bounds the rest', () => {
    const q = query(
      `channel=files&status=x&integrity=&legalHold=yes&from=yesterday&offset=-5&deviceId=${'a'.repeat(500)}`,
    );
    expect(q).toMatchObject({
      channel: undefined,
      status: undefined,
      integrity: undefined,
      legalHold: undefined,
      from: undefined,
      offset: undefined,
    });
    expect(q.deviceId).toHaveLength(100);
    expect(query('offset=99999999').offset).toBe(10_000);
    expect(query('offset=1.5').offset).toBeUndefined();
    expect(query('technicianId=%20%20').technicianId).toBeUndefined();
  });
});

describe("the Recordings page's paging", () => {
  const page = { pageSize: 50, totalCapped: false };

  it('offers a next page while more items were counted', () => {
    expect(hasNextPage({ ...page, offset: 0, shown: 50, total: 120 })).toBe(true);
    expect(hasNextPage({ ...page, offset: 100, shown: 20, total: 120 })).toBe(false);
    expect(hasNextPage({ ...page, offset: 0, shown: 50, total: 1000, totalCapped: true })).toBe(true);
  });

  it('stops at the API’s offset limit instead of asking for the capped page again and again', () => {
    const max = RECORDING_LIMITS.offsetMax;
    const capped = { ...page, shown: 50, total: 10_000, totalCapped: true };
    expect(hasNextPage({ ...capped, offset: max - 100 })).toBe(true);
    expect(hasNextPage({ ...capped, offset: max - 50 })).toBe(true);
    expect(hasNextPage({ ...capped, offset: max - 49 })).toBe(false);
    expect(hasNextPage({ ...capped, offset: max })).toBe(false);
  });
});
