import {
  buildxBuildCommand,
  loginCommand,
  parseBuildArgs,
  parseBuilderDriver,
  parseCacheSpec,
  parsePlatforms,
  planCache,
} from '../../src/build/commands.js';
import { showCommand } from '../../src/build/docker.js';
import { parseImageName } from '../../src/build/image-name.js';

const image = parseImageName('10.231.0.1:5000/parking/web');

describe('docker buildx build argv', () => {
  const base = {
    image,
    tags: ['sha-0123456', 'main'],
    cacheRefs: [],
    context: '.',
    push: true,
    buildArgs: [],
    platforms: [],
    labels: { 'org.opencontainers.image.revision': '0123456789' },
    cacheFrom: ['type=registry,ref=10.231.0.1:5000/parking/web:buildcache'],
    cacheTo: ['type=inline'],
    metadataFile: '/tmp/m.json',
  };

  test('tags every computed tag, labels, cache, metadata file and push, context last', () => {
    expect(showCommand(buildxBuildCommand(base))).toBe(
      'docker buildx build --progress plain --metadata-file /tmp/m.json' +
        ' --tag 10.231.0.1:5000/parking/web:sha-0123456 --tag 10.231.0.1:5000/parking/web:main' +
        ' --label org.opencontainers.image.revision=0123456789' +
        ' --cache-from type=registry,ref=10.231.0.1:5000/parking/web:buildcache --cache-to type=inline --push .',
    );
  });

  test('push false loads into the engine; file, platforms and build args are single argv elements', () => {
    const argv = buildxBuildCommand({
      ...base,
      push: false,
      file: 'docker/Dockerfile.prod',
      platforms: ['linux/amd64', 'linux/arm64'],
      buildArgs: [{ key: 'GREETING', value: 'hi $(touch /tmp/pwned); `id` "x"' }],
      cacheFrom: [],
      cacheTo: [],
    });
    expect(argv).toContain('--load');
    expect(argv).not.toContain('--push');
    expect(argv.slice(argv.indexOf('--file'), argv.indexOf('--file') + 2)).toEqual(['--file', 'docker/Dockerfile.prod']);
    expect(argv.slice(argv.indexOf('--platform'), argv.indexOf('--platform') + 2)).toEqual(['--platform', 'linux/amd64,linux/arm64']);
    expect(argv[argv.indexOf('--build-arg') + 1]).toBe('GREETING=hi $(touch /tmp/pwned); `id` "x"');
  });

  test('docker login takes the password on stdin, never as an argument', () => {
    expect(loginCommand('10.231.0.1:5000', 'ci')).toEqual(['login', '10.231.0.1:5000', '--username', 'ci', '--password-stdin']);
  });
});

describe('inputs parsed for the build', () => {
  test('build-args: KEY=VALUE lines, the value kept verbatim (=, spaces, quotes), blank lines skipped', () => {
    expect(parseBuildArgs('A=1\n\nB=x=y z \nEMPTY=\nQ="quoted"')).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'x=y z ' },
      { key: 'EMPTY', value: '' },
      { key: 'Q', value: '"quoted"' },
    ]);
    expect(() => parseBuildArgs('A=1\nnot an arg')).toThrow('input "build-args", line 2: expected KEY=VALUE with KEY like MY_ARG, got "not an arg"');
    expect(() => parseBuildArgs('1A=x')).toThrow('got "1A"');
  });

  test('platforms are os/arch[/variant]', () => {
    expect(parsePlatforms(['linux/amd64', 'linux/arm/v7'])).toEqual(['linux/amd64', 'linux/arm/v7']);
    expect(() => parsePlatforms(['amd64'])).toThrow('"amd64" is not a platform like linux/amd64');
  });

  test.each([
    ['registry.example.com/acme/parking-web', 'registry.example.com', 'acme/parking-web'],
    ['10.231.0.1:5000/parking/web', '10.231.0.1:5000', 'parking/web'],
    ['localhost/web', 'localhost', 'web'],
    ['acme/web', 'docker.io', 'acme/web'],
    ['ghcr.io/acme/parking_web.api', 'ghcr.io', 'acme/parking_web.api'],
  ])('image %s: registry %s, repository %s', (name, registry, repository) => {
    expect(parseImageName(name)).toEqual({ name, registry, repository });
  });

  test.each([
    ['acme/web:v1', 'has a tag'],
    ['acme/web@sha256:abc', 'has a digest'],
    ['Acme/Web', 'is not a valid image name'],
    ['registry.example.com/', 'is not a valid image name'],
  ])('image %s is refused: %s', (name, message) => {
    expect(() => parseImageName(name)).toThrow(message);
  });
});

describe('cache on the builder at hand', () => {
  test('a cache spec reads as key/value pairs; a bare ref is a registry cache', () => {
    expect(parseCacheSpec('type=registry,ref=r/x:cache,mode=max')).toEqual({ type: 'registry', ref: 'r/x:cache', mode: 'max' });
    expect(parseCacheSpec('r/x:cache')).toEqual({ type: 'registry', ref: 'r/x:cache' });
  });

  test('a docker-container builder gets the cache specs unchanged', () => {
    const to = ['type=registry,ref=r/x:cache,mode=max'];
    expect(planCache(to, 'docker-container', true)).toEqual({ cacheTo: to, cacheRefs: [], notes: [] });
  });

  test('the docker driver keeps a registry cache as inline cache pushed under the cache ref', () => {
    const plan = planCache(['type=registry,ref=r/x:cache,mode=max'], 'docker', true);
    expect(plan.cacheTo).toEqual(['type=inline']);
    expect(plan.cacheRefs).toEqual(['r/x:cache']);
    expect(plan.notes[0]).toMatch(/cannot export a registry cache: pushing the image with inline cache as r\/x:cache instead \(mode=max becomes mode=min/);
  });

  test('the docker driver drops cache exports it cannot do, saying so', () => {
    const plan = planCache(['type=gha'], 'docker', true);
    expect(plan).toMatchObject({ cacheTo: [], cacheRefs: [] });
    expect(plan.notes[0]).toContain('cannot export a cache of type gha');
    expect(planCache(['type=registry,ref=r/x:cache'], 'docker', false).cacheRefs).toEqual([]);
  });

  test('the driver is read from docker buildx inspect', () => {
    expect(parseBuilderDriver('Name:          default\nDriver:        docker\nLast Activity: x\n')).toBe('docker');
    expect(parseBuilderDriver('Name: builder\nDriver: docker-container\n')).toBe('docker-container');
  });
});
