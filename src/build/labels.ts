import type { BuildEvent } from './github-context.js';

/** The OCI annotations metadata-action users expect, as image labels. */
export function ociLabels(event: BuildEvent, version: string, revision: string, created: Date): Record<string, string> {
  const url = event.payload.repository?.html_url ?? (event.repository ? `${event.serverUrl}/${event.repository}` : '');
  const title = event.payload.repository?.name ?? event.repository.split('/').pop() ?? '';
  const labels: Record<string, string> = {
    'org.opencontainers.image.created': created.toISOString(),
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.version': version,
  };
  if (url) {
    labels['org.opencontainers.image.source'] = url;
    labels['org.opencontainers.image.url'] = url;
  }
  if (title) labels['org.opencontainers.image.title'] = title;
  return labels;
}
