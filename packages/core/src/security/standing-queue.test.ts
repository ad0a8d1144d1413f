import { expect } from 'chai';
import { StandingQueue, type QueueReading } from './standing-queue';

describe('StandingQueue', () => {
  const at = (now: number, waitMs: number): QueueReading => ({ waitMs, targetMs: 1500, intervalMs: 500, now });

  it('calls a wait above the target a burst until it has stayed above it for the interval', () => {
    const queue = new StandingQueue();
    expect(queue.observe(at(0, 1500)), 'at the target').to.equal(false);
    expect(queue.observe(at(100, 5000))).to.equal(false);
    expect(queue.observe(at(599, 2000))).to.equal(false);
    expect(queue.observe(at(600, 2000))).to.equal(true);
  });

  it('starts the interval again when the wait dips to the target', () => {
    const queue = new StandingQueue();
    queue.observe(at(0, 3000));
    queue.observe(at(400, 1500));
    expect(queue.observe(at(450, 3000))).to.equal(false);
    expect(queue.observe(at(900, 3000))).to.equal(false);
    expect(queue.observe(at(950, 3000))).to.equal(true);
  });

  it('stays standing under the target until the wait falls to half of it', () => {
    const queue = new StandingQueue();
    queue.observe(at(0, 3000));
    expect(queue.observe(at(500, 3000))).to.equal(true);
    expect(queue.observe(at(5000, 1000))).to.equal(true);
    expect(queue.observe(at(6000, 751))).to.equal(true);
    expect(queue.observe(at(6500, 750))).to.equal(false);
    // A new excursion is a burst again.
    expect(queue.observe(at(6600, 5000))).to.equal(false);
  });
});
