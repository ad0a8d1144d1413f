import { expect } from 'chai';
import { StandingQueue } from './standing-queue';

describe('StandingQueue', () => {
  /** Feeds `[now, waitMs]` readings (target 1500 ms, interval 500 ms); what each one answered. */
  const feed = (readings: [number, number][]) => {
    const queue = new StandingQueue();
    return readings.map(([now, waitMs]) => queue.observe({ waitMs, targetMs: 1500, intervalMs: 500, now }));
  };

  it('calls a wait above the target a burst until it has stayed above it for the interval', () => {
    expect(feed([[0, 1500], [100, 5000], [599, 2000], [600, 2000]])).to.deep.equal([false, false, false, true]);
  });

  it('starts the interval again when the wait dips to the target', () => {
    expect(feed([[0, 3000], [400, 1500], [450, 3000], [900, 3000], [950, 3000]])).to.deep.equal([false, false, false, false, true]);
  });

  it('stays standing under the target until the wait falls to half of it, then a new excursion is a burst again', () => {
    const readings: [number, number][] = [[0, 3000], [500, 3000], [5000, 1000], [6000, 751], [6500, 750], [6600, 5000]];
    expect(feed(readings)).to.deep.equal([false, true, true, true, false, false]);
  });
});
