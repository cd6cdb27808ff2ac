import { FailureCounter } from './login-throttle';

describe('FailureCounter (failed password checks per key)', () => {
  let now = 0;
  const clock = (): number => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('blocks a key at its limit until the window from its first failure ends', () => {
    const c = new FailureCounter(3, 60_000, 100, clock);
    c.fail('a');
    now += 10_000;
    c.fail('a');
    expect(c.blockedFor('a')).toBe(0);
    c.fail('a');
    expect(c.blockedFor('a')).toBe(50_000);
    expect(c.blockedFor('b')).toBe(0);
    now += 50_000;
    expect(c.blockedFor('a')).toBe(0);
    c.fail('a');
    expect(c.blockedFor('a')).toBe(0);
  });

  it('forgets a key (a success) and never blocks at limit 0', () => {
    const c = new FailureCounter(1, 60_000, 100, clock);
    c.fail('a');
    expect(c.blockedFor('a')).toBeGreaterThan(0);
    c.forget('a');
    expect(c.blockedFor('a')).toBe(0);
    const off = new FailureCounter(0, 60_000, 100, clock);
    for (let i = 0; i < 10; i++) off.fail('a');
    expect(off.blockedFor('a')).toBe(0);
  });

  it('holds at most its capacity, forgetting the key not touched longest', () => {
    const c = new FailureCounter(1, 60_000, 2, clock);
    c.fail('a');
    c.fail('b');
    c.fail('a');
    c.fail('c');
    expect(c.blockedFor('b')).toBe(0);
    expect(c.blockedFor('a')).toBeGreaterThan(0);
    expect(c.blockedFor('c')).toBeGreaterThan(0);
  });
});
