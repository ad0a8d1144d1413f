/**
 * A queue that takes turns between groups: `shift` serves the groups round-robin, one item
 * per turn, and each group's items first in, first out. A group joins the end of the turn
 * order when it gets its first item and leaves it when its last item is taken or removed,
 * so one group with a hundred items delays a newcomer by at most one item per group ahead.
 *
 * @example
 * const queue = new FairQueue<string>();
 * queue.push('bulk', 'b1'); queue.push('bulk', 'b2'); queue.push('login', 'l1');
 * queue.shift(); // 'b1'
 * queue.shift(); // 'l1' — the login's turn comes before the bulk's second item
 */
export class FairQueue<T> {
  /** Items per group, in arrival order; a Map keeps the groups in turn order. */
  private readonly groups = new Map<unknown, T[]>();
  private count = 0;

  /** Items waiting, over every group. */
  get size(): number {
    return this.count;
  }

  /** Groups with at least one item waiting. */
  get groupCount(): number {
    return this.groups.size;
  }

  /** True when `group` has an item waiting. */
  has(group: unknown): boolean {
    return this.groups.has(group);
  }

  /** Appends `item` to its group; a group new to the queue takes the last turn. */
  push(group: unknown, item: T): void {
    const items = this.groups.get(group);
    if (items) items.push(item);
    else this.groups.set(group, [item]);
    this.count++;
  }

  /** Takes the first item of the group whose turn it is; that group moves to the last turn. */
  shift(): T | undefined {
    const next = this.groups.entries().next();
    if (next.done) return undefined;
    const [group, items] = next.value;
    const item = items.shift() as T;
    this.groups.delete(group);
    if (items.length > 0) this.groups.set(group, items);
    this.count--;
    return item;
  }

  /** Removes `item` from `group` without disturbing the other groups' turns. */
  remove(group: unknown, item: T): boolean {
    const items = this.groups.get(group);
    const index = items ? items.indexOf(item) : -1;
    if (!items || index === -1) return false;
    items.splice(index, 1);
    if (items.length === 0) this.groups.delete(group);
    this.count--;
    return true;
  }

  /** Empties the queue and returns every item it held. */
  drain(): T[] {
    const items = [...this.groups.values()].flat();
    this.groups.clear();
    this.count = 0;
    return items;
  }
}
