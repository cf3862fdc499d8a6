/** Bearer-token authentication: `Authorization: Bearer aa_…` (tokens from `POST /api/owners`). */
import type { RequestHandler, Response } from 'express';
import type { Owner } from '../storage/types.ts';
import type { ApiContext } from './context.ts';
import { ApiError } from './errors.ts';

export function requireOwner(ctx: ApiContext): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S{1,256})$/i.exec(header);
    if (!match)
      throw new ApiError(
        'UNAUTHORIZED',
        'missing bearer token: send "Authorization: Bearer <token>"',
      );
    const owner = ctx.storage.authenticate(match[1]);
    if (!owner) throw new ApiError('UNAUTHORIZED', 'invalid or revoked token');
    res.locals.owner = owner;
    next();
  };
}

/** The owner `requireOwner` authenticated. */
export function ownerOf(res: Response): Owner {
  return res.locals.owner as Owner;
}
