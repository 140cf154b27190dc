import * as cache from '@actions/cache';
import * as core from '@actions/core';

/**
 * Trivy's vulnerability DB, kept between runs. Restored before the scan and saved right after it,
 * before any gate can fail the step, so a failing scan still leaves the DB for the next run (and
 * the DB registries' rate limits are hit once a day at most).
 */
export function trivyDbCacheKey(now = new Date()): string {
  return `parking-ci-trivy-db-${process.platform}-${now.toISOString().slice(0, 10)}`;
}

export async function restoreTrivyDb(cacheDir: string): Promise<string | undefined> {
  if (!cache.isFeatureAvailable()) {
    core.info('Trivy DB cache: the cache service is not available here; the DB is downloaded');
    return undefined;
  }
  try {
    const hit = await cache.restoreCache([cacheDir], trivyDbCacheKey(), ['parking-ci-trivy-db-']);
    core.info(hit ? `Trivy DB cache: restored ${hit}` : 'Trivy DB cache: none yet');
    return hit;
  } catch (err) {
    core.warning(`Trivy DB cache could not be restored (${err instanceof Error ? err.message : String(err)}); the DB is downloaded`);
    return undefined;
  }
}

export async function saveTrivyDb(cacheDir: string, restoredKey: string | undefined): Promise<void> {
  const key = trivyDbCacheKey();
  if (!cache.isFeatureAvailable() || restoredKey === key) return;
  try {
    await cache.saveCache([cacheDir], key);
    core.info(`Trivy DB cache: saved ${key}`);
  } catch (err) {
    core.info(`Trivy DB cache not saved: ${err instanceof Error ? err.message : String(err)}`);
  }
}
