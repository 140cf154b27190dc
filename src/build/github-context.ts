import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../errors.js';

/** What the build needs to know about the workflow run that triggered it. */
export interface BuildEvent {
  eventName: string;
  /** GITHUB_REF, e.g. refs/heads/main, refs/tags/v1.2.3, refs/pull/2/merge. */
  ref: string;
  /** GITHUB_SHA: the commit the workflow runs on. */
  sha: string;
  payload: EventPayload;
  /** owner/name */
  repository: string;
  serverUrl: string;
}

// Only the fields we read; everything else in the payload is passed over (webhooks grow new fields).
const payloadSchema = z.looseObject({
  ref: z.string().optional(),
  after: z.string().optional(),
  deleted: z.boolean().optional(),
  repository: z.looseObject({ default_branch: z.string().optional(), html_url: z.string().optional(), name: z.string().optional() }).optional(),
  pull_request: z.looseObject({ number: z.number(), head: z.looseObject({ sha: z.string() }) }).optional(),
  number: z.number().optional(),
  release: z.looseObject({ tag_name: z.string(), prerelease: z.boolean().optional() }).optional(),
});
export type EventPayload = z.infer<typeof payloadSchema>;

export function parsePayload(json: unknown): EventPayload {
  const result = payloadSchema.safeParse(json ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UserError(`the event payload (GITHUB_EVENT_PATH) is not what GitHub sends: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

/** Reads the run's event from the variables the runner sets. */
export function eventFromEnv(env: NodeJS.ProcessEnv = process.env): BuildEvent {
  const path = env.GITHUB_EVENT_PATH;
  let raw: unknown = {};
  if (path) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new UserError(`cannot read the event payload ${path}: ${(err as Error).message}`);
    }
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    payload: parsePayload(raw),
    repository: env.GITHUB_REPOSITORY ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
  };
}
