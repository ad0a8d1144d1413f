import { z } from 'zod';
import { idParamSchema } from './fields';

/** Path parameters of routes ending in `/:id`. */
export const idParamsSchema = z.object({ id: idParamSchema });
