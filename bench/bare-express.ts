import { randomUUID, type KeyObject } from 'node:crypto';
import express, { type Express, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import pg from 'pg';

/** Options of {@link createBareExpressApp}. */
export interface BareExpressOptions {
  databaseUrl: string;
  /** The HS256 key the core signs with (as a KeyObject, as the core holds it). */
  secretKey: KeyObject;
  /** Connections in the pg pool; the same as the core's pool for a fair comparison. */
  poolMax?: number;
}

/** The bare app and the pool it owns. */
export interface BareExpressApp {
  app: Express;
  close(): Promise<void>;
}

// The same statement the core's session repository runs on every authenticated request.
const ACTIVE_BY_JTI_SQL = `
  SELECT s.id AS "id", s.user_id AS "userId", s.jti AS "jti", s.ip_address AS "ipAddress",
         s.user_agent AS "userAgent", s.is_active AS "isActive", s.expires_at AS "expiresAt",
         s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt",
         u.email AS "u_email", u.username AS "u_username", u.full_name AS "u_fullName",
         u.is_active AS "u_isActive", u.is_superuser AS "u_isSuperuser",
         u.created_at AS "u_createdAt", u.updated_at AS "u_updatedAt"
    FROM sessions s
    JOIN users u ON u.id = s.user_id
   WHERE s.jti = $1 AND s.is_active = true AND s.expires_at > $2`;

// The two statements Sequelize sends for `GET /users?size=20` (default sort created_at desc).
const COUNT_SQL = 'SELECT count(*) AS "count" FROM "users" AS "User"';
const PAGE_SQL = `SELECT "id", "email", "username", "full_name" AS "fullName", "is_active" AS "isActive",
  "is_superuser" AS "isSuperuser", "created_at" AS "createdAt", "updated_at" AS "updatedAt"
  FROM "users" AS "User" ORDER BY "createdAt" DESC, "User"."id" DESC LIMIT $1 OFFSET $2`;

// The headers the core sends on every response, so both sides write the same bytes.
const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
};

type Row = Record<string, unknown>;

const userJson = (row: Row, prefix = '') => ({
  id: row[prefix ? 'userId' : 'id'],
  email: row[`${prefix}email`],
  username: row[`${prefix}username`],
  full_name: row[`${prefix}fullName`] ?? null,
  is_active: row[`${prefix}isActive`],
  is_superuser: row[`${prefix}isSuperuser`],
  created_at: (row[`${prefix}createdAt`] as Date).toISOString(),
  updated_at: (row[`${prefix}updatedAt`] as Date).toISOString(),
});

/**
 * The baseline of `bench:http`: the two measured routes written by hand on Express and pg,
 * with the core's JWT check (HS256 pinned, expiry, sub and jti present), its session+user
 * SQL, its list SQL with the count, and its response headers. No validation layer, no ORM, no
 * request pipeline, no error envelope beyond a bare 401/403.
 */
export function createBareExpressApp(options: BareExpressOptions): BareExpressApp {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 10 });
  const app = express();

  const authenticate = async (req: Request, res: Response): Promise<Row | undefined> => {
    const match = /^bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    let claims: jwt.JwtPayload | string | undefined;
    try {
      if (match) claims = jwt.verify(match[1]!, options.secretKey, { algorithms: ['HS256'] });
    } catch {
      claims = undefined;
    }
    if (typeof claims !== 'object' || typeof claims.sub !== 'string' || typeof claims.jti !== 'string') {
      res.status(401).set(HEADERS).json({ error: 'authentication_error' });
      return undefined;
    }
    const { rows } = await pool.query<Row>(ACTIVE_BY_JTI_SQL, [claims.jti, new Date()]);
    const row = rows[0];
    if (!row || String(row.userId) !== claims.sub || row.u_isActive !== true) {
      res.status(401).set(HEADERS).json({ error: 'authentication_error' });
      return undefined;
    }
    return row;
  };

  app.get('/api/v1/auth/me', async (req, res) => {
    const row = await authenticate(req, res);
    if (!row) return;
    res.set(HEADERS).set('X-Request-ID', randomUUID()).json(userJson(row, 'u_'));
  });

  app.get('/api/v1/users', async (req, res) => {
    const row = await authenticate(req, res);
    if (!row) return;
    if (row.u_isSuperuser !== true) {
      res.status(403).set(HEADERS).json({ error: 'authorization_error' });
      return;
    }
    const size = Math.min(Math.max(Number(req.query.size ?? 50) || 50, 1), 100);
    const page = Math.max(Number(req.query.page ?? 1) || 1, 1);
    const total = Number((await pool.query<{ count: string }>(COUNT_SQL)).rows[0]!.count);
    const offset = (page - 1) * size;
    const items = offset < total ? (await pool.query<Row>(PAGE_SQL, [size, offset])).rows.map((r) => userJson(r)) : [];
    res
      .set(HEADERS)
      .set('X-Request-ID', randomUUID())
      .json({ items, total, page, size, pages: Math.ceil(total / size) });
  });

  return { app, close: () => pool.end() };
}
