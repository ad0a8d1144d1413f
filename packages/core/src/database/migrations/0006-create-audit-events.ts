import { DataTypes } from 'sequelize';
import type { Migration } from './migration';

/**
 * The `audit_events` table (docs/reference/routes.md "Audit events"). The query route reads
 * newest first with a keyset cursor over (occurred_at, id), optionally filtered by type,
 * actor or subject and bounded in time, so each filter column leads a composite index ending
 * in (occurred_at, id): every page is then one index range read backwards, with no sort, at
 * any table size (docs/PERFORMANCE.md "Audit events"). The plain (occurred_at, id) index also
 * serves the unfiltered page, the time bounds and the retention purge.
 *
 * `actor_user_id` and `subject_user_id` are plain integers without a foreign key on purpose:
 * the trail must outlive the users it names (a deleted user's events, the deletion itself
 * included, stay readable until retention removes them), and a foreign key would either
 * cascade them away or forbid deleting the user.
 */
export const createAuditEvents: Migration = {
  name: '0006-create-audit-events',
  async up({ queryInterface, transaction, tables }) {
    await queryInterface.createTable(
      tables.auditEvents,
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        type: { type: DataTypes.STRING(64), allowNull: false },
        occurred_at: { type: DataTypes.DATE, allowNull: false },
        actor_user_id: { type: DataTypes.INTEGER, allowNull: true },
        subject_user_id: { type: DataTypes.INTEGER, allowNull: true },
        ip_address: { type: DataTypes.STRING(45), allowNull: true },
        user_agent: { type: DataTypes.TEXT, allowNull: true },
        request_id: { type: DataTypes.STRING(128), allowNull: true },
        // JSON as text: the same column on both databases, never queried inside.
        details: { type: DataTypes.TEXT, allowNull: false },
      },
      { transaction },
    );
    const index = (name: string, fields: string[]) =>
      queryInterface.addIndex(tables.auditEvents, fields, { name: tables.index(name), transaction });
    await index('audit_events_occurred_at_id', ['occurred_at', 'id']);
    await index('audit_events_type_occurred_at_id', ['type', 'occurred_at', 'id']);
    await index('audit_events_actor_occurred_at_id', ['actor_user_id', 'occurred_at', 'id']);
    await index('audit_events_subject_occurred_at_id', ['subject_user_id', 'occurred_at', 'id']);
  },
  async down({ queryInterface, transaction, tables }) {
    await queryInterface.dropTable(tables.auditEvents, { transaction });
  },
};
