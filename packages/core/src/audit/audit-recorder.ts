import { createHash } from 'node:crypto';
import { inject, injectable } from 'inversify';
import { CLOCK, type Clock } from '../clock/clock';
import { CORE_CONFIG, type CoreConfig } from '../config/options';
import { EXECUTION_CONTEXT, type ExecutionContext } from '../context/execution-context';
import { UNIT_OF_WORK, type UnitOfWork } from '../database/unit-of-work';
import { USER_FIELDS, type UserFields } from '../domain/user-fields';
import type { CoreEventName, CoreEvents, CoreHook } from '../events/core-events';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../logger/logger';
import { RATE_LIMITER, type RateLimiter } from '../rate-limit/rate-limiter';
import { AUDIT_EVENT_REPOSITORY, type AuditEventRepository } from '../repositories/audit-event-repository';
import { sanitizeDetails, storableIp, storableRequestId, storableUserAgent } from './audit-details';
import type { NewAuditEvent } from './audit-event';
import { AUDIT_RULES, type AuditEntry, type AuditRule, type AuditRules } from './audit-rules';

/**
 * Writes the audit trail as the core's own hooks on the event bus (docs/decisions.md "Audit
 * trail"). Each audited event becomes its rows (see `AUDIT_RULES`), written through the unit
 * of work: inside the transaction of the change when one is open, so a rolled-back change
 * leaves no row and a committed one always has its row; in a transaction of its own for an
 * event that records no change (a failed login, an export). The request id, IP and user
 * agent come from the execution scope unless the event names its client. After each insert
 * it emits `audit.recorded` in the same transaction, so hosts' hooks can copy the row and
 * their listeners receive it after commit.
 *
 * Its hooks are added after the host's, so a host hook that vetoes a change spares the insert.
 */
@injectable()
export class AuditRecorder {
  private readonly rules: AuditRules = AUDIT_RULES;
  private readonly logger: Logger;
  private readonly sampleMs: number;
  private bus: EventBus | undefined;

  constructor(
    @inject(AUDIT_EVENT_REPOSITORY) private readonly repository: AuditEventRepository,
    @inject(UNIT_OF_WORK) private readonly uow: UnitOfWork,
    @inject(EXECUTION_CONTEXT) private readonly context: ExecutionContext,
    @inject(CLOCK) private readonly clock: Clock,
    @inject(USER_FIELDS) private readonly fields: UserFields,
    @inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @inject(CORE_CONFIG) config: CoreConfig,
  ) {
    this.logger = config.logger;
    this.sampleMs = config.audit.lockoutSampleSeconds * 1000;
  }

  /** Adds one hook per audited event to `bus` (once per core). */
  install(bus: EventBus): void {
    if (this.bus) throw new Error('AuditRecorder is already installed');
    this.bus = bus;
    for (const [event, rule] of Object.entries(this.rules) as [CoreEventName, AuditRule<CoreEventName>][]) {
      const hook: CoreHook<CoreEventName> = (payload) => this.record(rule, payload);
      bus.hook(event, hook);
    }
  }

  private async record<E extends CoreEventName>(rule: AuditRule<E>, payload: CoreEvents[E]): Promise<void> {
    const mapped = rule.map(payload, { fields: this.fields });
    const entries: readonly AuditEntry[] = mapped === null ? [] : Array.isArray(mapped) ? mapped : [mapped as AuditEntry];
    if (entries.length === 0) return;
    // Sampled before any transaction opens, so a flood of refusals costs no write at all.
    if (rule.sample && !(await this.admit(rule.sample(payload)))) return;
    const rows = entries.map((entry) => this.toRow(rule, entry));
    await this.uow.run(async () => {
      const recorded = await this.repository.insert(rows);
      for (const event of recorded) await this.bus!.emit('audit.recorded', event);
    });
  }

  private toRow<E extends CoreEventName>(rule: AuditRule<E>, entry: AuditEntry): NewAuditEvent {
    const allowed = rule.types[entry.type];
    const { details, dropped } = sanitizeDetails(allowed ?? [], entry.details);
    if (!allowed || dropped.length > 0) {
      // Key names only: a dropped value may be exactly the secret this guard exists for.
      this.logger.warn({ audit_type: entry.type, dropped }, 'audit details dropped: not declared for this type or secret-looking');
    }
    const client = entry.client ?? this.context.client ?? {};
    return {
      type: entry.type,
      occurred_at: this.clock.now(),
      actor_user_id: entry.actor,
      subject_user_id: entry.subject,
      ip_address: storableIp(client.ipAddress),
      user_agent: storableUserAgent(client.userAgent),
      request_id: storableRequestId(this.context.requestId),
      details,
    };
  }

  /** True for the first event of `key` in the sampling window (always when sampling is off). */
  private async admit(key: string): Promise<boolean> {
    if (this.sampleMs <= 0) return true;
    const digest = createHash('sha256').update(key).digest('base64url');
    try {
      const result = await this.limiter.consume(`audit-sample:${digest}`, { limit: 1, windowMs: this.sampleMs, tier: 'bucket' });
      return result.allowed;
    } catch {
      return true; // A limiter outage records too much rather than nothing.
    }
  }
}
