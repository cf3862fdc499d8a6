/**
 * The `/api` router: rate limits, body limits, the routes and the JSON error handling. Depends on
 * `ApiContext` only (Storage and JobQueue interfaces, plain config).
 */
import express, { type RequestHandler, Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import { requireOwner } from './auth.ts';
import type { ApiContext } from './context.ts';
import { renderDocsPage } from './docsPage.ts';
import { type ErrorBody, errorHandler, notFoundHandler } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { agentRoutes } from './routes/agents.ts';
import { publicRoutes } from './routes/public.ts';
import { submissionRoutes } from './routes/submissions.ts';

export type { ApiContext } from './context.ts';

function limiter(windowMs: number, limit: number, what: string): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => {
      const body: ErrorBody = {
        error: { code: 'RATE_LIMITED', message: `too many ${what}; try again later` },
      };
      res.status(429).json(body);
    },
  });
}

export function createApiRouter(ctx: ApiContext): Router {
  const limits = ctx.config.rateLimits;
  const router = Router();
  router.use(limiter(60_000, limits.requestsPerMinute, 'requests'));
  router.use(express.json({ limit: ctx.config.maxJsonBytes }));

  const doc = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(renderDocsPage(doc as Parameters<typeof renderDocsPage>[0]));
  });

  const auth = requireOwner(ctx);
  router.use(
    publicRoutes({
      ctx,
      registrationLimiter: limiter(3_600_000, limits.registrationsPerHour, 'registrations'),
    }),
  );
  router.use(
    submissionRoutes({
      ctx,
      auth,
      uploadLimiter: limiter(3_600_000, limits.uploadsPerHour, 'uploads'),
    }),
  );
  router.use(agentRoutes({ ctx, auth }));
  router.use(notFoundHandler);
  router.use(errorHandler(ctx.log));
  return router;
}
