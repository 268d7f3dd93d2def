import { ExpiringIdSet } from './expiring-id-set';

describe('ExpiringIdSet', () => {
  it('accepts an id once until it expires', () => {
    const set = new ExpiringIdSet(10);
    expect(set.add('a', 2000, 1000)).toBe('added');
    expect(set.add('a', 2000, 1500)).toBe('exists');
    expect(set.has('a', 1999)).toBe(true);
    expect(set.has('a', 2000)).toBe(false);
    expect(set.add('a', 3000, 2000)).toBe('added');
  });

  it('refuses new ids when full of unexpired ones, and makes room from expired ones', () => {
    const set = new ExpiringIdSet(2);
    set.add('a', 1000, 0);
    set.add('b', 5000, 0);
    expect(set.add('c', 5000, 500)).toBe('full');
    expect(set.add('c', 5000, 1000)).toBe('added');
    expect(set.size).toBe(2);
  });

  it('sweeps expired ids', () => {
    const set = new ExpiringIdSet(10);
    set.add('a', 1000, 0);
    set.add('b', 3000, 0);
    expect(set.sweep(2000)).toBe(1);
    expect(set.size).toBe(1);
  });
});
