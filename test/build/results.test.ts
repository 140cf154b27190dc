import { formatBytes, lastErrorLine, parseCacheUse, parseManifest, parseMetadata } from '../../src/build/results.js';

// A real `--progress plain` log (buildx 0.13, docker driver), second build with the registry cache.
const LOG = `#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 148B done
#1 DONE 0.0s

#3 importing cache manifest from 127.0.0.1:5099/acme/web:t1
#3 DONE 0.0s

#5 [internal] load build context
#5 transferring context: 1.98MB 0.0s done
#5 DONE 0.0s

#6 [1/3] COPY busybox /bin/busybox
#6 CACHED

#7 [2/3] COPY Dockerfile /Dockerfile
#7 pulling sha256:12bb3dd58a26f588a35a90f289ba186a2135bb3a8fdbaf2a68f25bf7421a3a75
#7 CACHED

#8 [3/3] COPY app /app
#8 DONE 0.0s

#9 exporting to image
#9 DONE 0.0s
`;

describe('what buildx leaves behind', () => {
  test('the digest comes from containerimage.digest of the metadata file', () => {
    const meta = {
      'buildx.build.ref': 'default/default/lr7bcmu9b2mqeolr5uzkd7u8w',
      'containerimage.config.digest': 'sha256:6867a8a9e841dd6c7eb19188bb790a0dc4269ceac55a3b6692dcfa8dc0cae732',
      'containerimage.digest': 'sha256:5ba6418c935cf956ca9ce61513b045058719a788712f4ac0bc841f177782531f',
    };
    expect(parseMetadata(JSON.stringify(meta))).toEqual({
      digest: 'sha256:5ba6418c935cf956ca9ce61513b045058719a788712f4ac0bc841f177782531f',
      configDigest: 'sha256:6867a8a9e841dd6c7eb19188bb790a0dc4269ceac55a3b6692dcfa8dc0cae732',
    });
    expect(() => parseMetadata('{"buildx.build.ref":"x"}')).toThrow('has no containerimage.digest');
    expect(() => parseMetadata('')).toThrow('no readable --metadata-file');
  });

  test('cache use counts CACHED Dockerfile steps, not internal ones', () => {
    expect(parseCacheUse(LOG)).toEqual({ steps: 3, cached: 2 });
    expect(parseCacheUse('#4 [linux/arm64 builder 2/5] RUN make\n#4 CACHED\n#5 [linux/amd64 builder 2/5] RUN make\n#5 DONE 1.2s\n')).toEqual({ steps: 2, cached: 1 });
  });

  test('the size of an image manifest is the sum of its layers', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1717, digest: 'sha256:aa' },
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1064338, digest: 'sha256:bb' },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 193, digest: 'sha256:cc' },
      ],
    };
    expect(parseManifest(JSON.stringify(manifest))).toEqual({ kind: 'image', layers: 2, bytes: 1064531 });
  });

  test('an index lists its platform images and skips attestation manifests', () => {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:a1', size: 480, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:a2', size: 480, platform: { architecture: 'arm', os: 'linux', variant: 'v7' } },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: 'sha256:a3',
          size: 566,
          annotations: { 'vnd.docker.reference.digest': 'sha256:a1', 'vnd.docker.reference.type': 'attestation-manifest' },
          platform: { architecture: 'unknown', os: 'unknown' },
        },
      ],
    };
    expect(parseManifest(JSON.stringify(index))).toEqual({
      kind: 'index',
      images: [
        { digest: 'sha256:a1', platform: 'linux/amd64' },
        { digest: 'sha256:a2', platform: 'linux/arm/v7' },
      ],
    });
  });

  test('sizes read like a person writes them', () => {
    expect(formatBytes(193)).toBe('193 B');
    expect(formatBytes(1064531)).toBe('1.02 MiB');
    expect(formatBytes(350 * 1024 * 1024)).toBe('350.0 MiB');
  });

  test('a failed docker command is told by its error line, not by its warnings', () => {
    const out =
      'WARNING! Your credentials are stored unencrypted in /x/config.json.\nError response from daemon: login attempt to http://127.0.0.1:5099/v2/ failed with status: 401 Unauthorized\n';
    expect(lastErrorLine(out)).toBe('login attempt to http://127.0.0.1:5099/v2/ failed with status: 401 Unauthorized');
    expect(lastErrorLine('#5 ...\nERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2\n')).toBe(
      'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    );
  });
});
