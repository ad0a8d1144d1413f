import { expect } from 'chai';
import type { SessionRefreshState } from '../repositories/session-repository';
import { judgeRefresh, secondsUntil, SessionPolicy } from './session-policy';

const T0 = new Date('2026-01-15T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 86_400_000;

describe('SessionPolicy', () => {
  const policy = new SessionPolicy({ idleDays: 7, maxDays: 30 });

  it('opens a session ending in 7 days if unused, 30 days at the latest', () => {
    const opened = policy.open(T0);
    expect(opened.expires_at.getTime()).to.equal(T0.getTime() + 7 * DAY);
    expect(opened.absolute_expires_at.getTime()).to.equal(T0.getTime() + 30 * DAY);
  });

  it('moves the idle deadline with use, never past the absolute one', () => {
    const session = { absolute_expires_at: at(30 * DAY) };
    expect(policy.extended(session, at(10 * DAY)).getTime()).to.equal(at(17 * DAY).getTime());
    expect(policy.extended(session, at(25 * DAY)).getTime()).to.equal(at(30 * DAY).getTime());
  });

  it('asks for a write only for a session never used or last used a minute or more ago', () => {
    expect(policy.needsTouch({ last_used_at: null }, T0)).to.equal(true);
    expect(policy.needsTouch({ last_used_at: T0 }, at(59_999))).to.equal(false);
    expect(policy.needsTouch({ last_used_at: T0 }, at(60_000))).to.equal(true);
  });

  it('counts whole seconds left, never below zero', () => {
    expect(secondsUntil(at(90_500), T0)).to.equal(90);
    expect(secondsUntil(T0, at(5000))).to.equal(0);
  });
});

describe('judgeRefresh', () => {
  const state: SessionRefreshState = { refresh_token_hash: 'h3', previous_refresh_hash: 'h2', refresh_generation: 3, rotated_at: T0 };

  it('rotates the current token', () => {
    expect(judgeRefresh({ generation: 3, hash: 'h3' }, state, T0)).to.equal('rotate');
  });

  it('answers the token just spent within 10 s as a retry, and after that as reuse', () => {
    expect(judgeRefresh({ generation: 2, hash: 'h2' }, state, at(10_000))).to.equal('retry');
    expect(judgeRefresh({ generation: 2, hash: 'h2' }, state, at(10_001))).to.equal('reuse');
  });

  it('treats any older generation as reuse, even within the window', () => {
    expect(judgeRefresh({ generation: 1, hash: 'h1' }, state, T0)).to.equal('reuse');
    expect(judgeRefresh({ generation: 0, hash: 'h0' }, state, T0)).to.equal('reuse');
  });

  it('finds nothing to say about a future generation, a wrong secret or a session without refresh tokens', () => {
    expect(judgeRefresh({ generation: 4, hash: 'h4' }, state, T0)).to.equal('invalid');
    expect(judgeRefresh({ generation: 3, hash: 'other' }, state, T0)).to.equal('invalid');
    expect(judgeRefresh({ generation: 0, hash: 'x' }, { ...state, refresh_token_hash: null, refresh_generation: 0 }, T0)).to.equal('invalid');
  });
});
