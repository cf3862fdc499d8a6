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
import { matchRoutes } from './routes/matches.ts';
import { publicRoutes } from './routes/public.ts';
import { remoteRoutes } from './routes/remote.ts';
import { submissionRoutes } from './routes/submissions.ts';

export type { ApiContext } from './context.ts';

function limiter(windowMs: number, limit: number, what: string): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its console warning about X-Forwarded-For without `trust proxy` is replaced by one log line
    // (`proxyHint`), through the server's own log.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      const body: ErrorBody = {
        error: { code: 'RATE_LIMITED', message: `too many ${what}; try again later` },
      };
      res.status(429).json(body);
    },
  });
}

/**
 * Logs once when requests carry X-Forwarded-For while no proxy is trusted: behind a reverse proxy
 * every client then shares the proxy's address (and its rate limits) until `--trust-proxy` is set.
 */
function proxyHint(log: (line: string) => void): RequestHandler {
  let told = false;
  return (req, _res, next) => {
    if (!told && req.headers['x-forwarded-for'] !== undefined) {
      told = true;
      log(
        `requests carry X-Forwarded-For but no proxy is trusted, so clients behind a proxy share its address (${req.socket.remoteAddress}) for rate limits; if this server is behind a reverse proxy, start it with --trust-proxy`,
      );
    }
    next();
  };
}

export function createApiRouter(ctx: ApiContext): Router {
  const limits = ctx.config.rateLimits;
  const router = Router();
  if (ctx.config.trustProxy === false) router.use(proxyHint(ctx.log));
  router.use(limiter(60_000, limits.requestsPerMinute, 'requests'));
  router.use(express.json({ limit: ctx.config.maxJsonBytes }));

  const doc = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (_req, res) => {
    res.type('html').send(renderDocsPage(doc));
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
  router.use(matchRoutes({ ctx }));
  router.use(remoteRoutes({ ctx, auth }));
  router.use(notFoundHandler);
  router.use(errorHandler(ctx.log));
  return router;
}
