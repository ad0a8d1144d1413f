import { expect } from 'chai';
import { FairQueue } from './fair-queue';

function drainAll<T>(queue: FairQueue<T>): T[] {
  const out: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  return out;
}

describe('FairQueue', () => {
  it('serves groups in turn, each group first in, first out', () => {
    const queue = new FairQueue<string>();
    for (let i = 1; i <= 4; i++) queue.push('bulk', `b${i}`);
    queue.push('login', 'l1');
    queue.push('other', 'o1');
    queue.push('login', 'l2');
    expect(queue.size).to.equal(7);
    expect(queue.groupCount).to.equal(3);
    expect(drainAll(queue)).to.deep.equal(['b1', 'l1', 'o1', 'b2', 'l2', 'b3', 'b4']);
    expect(queue.size).to.equal(0);
    expect(queue.shift()).to.equal(undefined);
  });

  it('puts a group that empties and comes back at the end of the turns', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('b', 'b2');
    expect(queue.shift()).to.equal('a1');
    queue.push('a', 'a2');
    expect(drainAll(queue)).to.deep.equal(['b1', 'a2', 'b2']);
  });

  it('removes one item without changing the other groups turns', () => {
    const queue = new FairQueue<string>();
    queue.push('a', 'a1');
    queue.push('b', 'b1');
    queue.push('c', 'c1');
    queue.push('b', 'b2');
    expect(queue.remove('b', 'b1')).to.equal(true);
    expect(queue.remove('b', 'nope')).to.equal(false);
    expect(queue.remove('zzz', 'a1')).to.equal(false);
    expect(queue.remove('c', 'c1')).to.equal(true);
    expect(queue.has('c')).to.equal(false);
    expect(queue.size).to.equal(2);
    expect(drainAll(queue)).to.deep.equal(['a1', 'b2']);
  });

  it('accepts any value as a group key and drains everything', () => {
    const queue = new FairQueue<number>();
    const signal = new AbortController().signal;
    const key = Symbol('default');
    queue.push(signal, 1);
    queue.push(key, 2);
    queue.push(signal, 3);
    expect(queue.has(signal)).to.equal(true);
    expect(queue.drain().sort()).to.deep.equal([1, 2, 3]);
    expect(queue.size).to.equal(0);
    expect(queue.groupCount).to.equal(0);
  });
});
