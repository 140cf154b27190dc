// Parsers for what buildx leaves behind: the metadata file, the plain progress log, manifests.
import { z } from 'zod';
import { UserError } from '../errors.js';

export const DIGEST = /^sha256:[0-9a-f]{64}$/;

const metadataSchema = z.looseObject({
  'containerimage.digest': z.string().regex(DIGEST).optional(),
  'containerimage.config.digest': z.string().regex(DIGEST).optional(),
});

export interface BuildMetadata {
  digest: string;
  configDigest?: string;
}

/** The `--metadata-file` buildx writes; `containerimage.digest` is the manifest (or index) digest pushed. */
export function parseMetadata(text: string): BuildMetadata {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError('buildx wrote no readable --metadata-file: cannot tell the image digest');
  }
  const parsed = metadataSchema.safeParse(json);
  const digest = parsed.success ? parsed.data['containerimage.digest'] : undefined;
  if (!parsed.success || !digest) throw new UserError('the buildx metadata file has no containerimage.digest: cannot tell the image digest');
  const configDigest = parsed.data['containerimage.config.digest'];
  return configDigest ? { digest, configDigest } : { digest };
}

export interface CacheUse {
  /** Dockerfile steps (`[2/5] COPY ...`, `[linux/arm64 builder 2/5] RUN ...`). */
  steps: number;
  cached: number;
}

/** Counts the Dockerfile steps of a `--progress plain` log and those BuildKit answered from cache. */
export function parseCacheUse(log: string): CacheUse {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of log.split('\n')) {
    const step = /^#(\d+) \[[^\]]*\d+\/\d+\] /.exec(line);
    if (step) steps.add(step[1]!);
    const hit = /^#(\d+) CACHED\s*$/.exec(line);
    if (hit) cached.add(hit[1]!);
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length };
}

const descriptor = z.looseObject({
  digest: z.string(),
  size: z.number(),
  mediaType: z.string().optional(),
  platform: z.looseObject({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const manifestSchema = z.looseObject({
  mediaType: z.string().optional(),
  layers: z.array(descriptor).optional(),
  manifests: z.array(descriptor).optional(),
});

export type RawManifest =
  | { kind: 'image'; layers: number; bytes: number }
  | { kind: 'index'; images: { digest: string; platform: string }[] };

/** An image manifest (layers to sum) or an index (per-platform manifests; attestations skipped). */
export function parseManifest(text: string): RawManifest {
  const m = manifestSchema.parse(JSON.parse(text));
  if (m.manifests) {
    const images = m.manifests
      .filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' && d.platform?.os !== 'unknown')
      .map((d) => ({
        digest: d.digest,
        platform: d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : '?',
      }));
    return { kind: 'index', images };
  }
  const layers = m.layers ?? [];
  return { kind: 'image', layers: layers.length, bytes: layers.reduce((sum, l) => sum + l.size, 0) };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** The last line of a failed docker command that says something, for the one-line error. */
export function lastErrorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^WARNING!|^Configure a credential helper|^https:\/\/docs\.docker\.com/.test(l));
  const error = [...lines].reverse().find((l) => /error|denied|unauthorized|failed|not found/i.test(l));
  return (error ?? lines[lines.length - 1] ?? 'no output').replace(/^ERROR:\s*/, '').replace(/^Error response from daemon:\s*/, '');
}
