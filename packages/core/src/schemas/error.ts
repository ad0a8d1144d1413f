import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../errors/app-error';

/** The one error envelope (docs/reference/errors.md), returned by every failing request. */
export const errorEnvelopeSchema = z.object({
  error: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.array(
    z.object({
      type: z.string(),
      message: z.string(),
      /** Dotted path starting with body, query, path or header (`body.2.password`). */
      field: z.string().optional(),
    }),
  ),
  request_id: z.string(),
});
export type ErrorEnvelope = z.output<typeof errorEnvelopeSchema>;
