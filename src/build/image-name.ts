import { UserError } from '../errors.js';

export interface ImageName {
  /** As given, e.g. registry.example.com:5000/acme/parking-web */
  name: string;
  /** The registry host[:port]; docker.io when the name has none. */
  registry: string;
  /** The repository path inside the registry. */
  repository: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Parses the `image` input: a name without tag or digest, as Docker's reference grammar defines it. */
export function parseImageName(input: string): ImageName {
  const name = input.trim();
  if (name.includes('@')) throw new UserError(`input "image": ${JSON.stringify(name)} has a digest; give the name only (e.g. registry.example.com/acme/web)`);
  const parts = name.split('/');
  // The first part is a registry when it looks like a host: has a dot or a port, or is localhost.
  const first = parts[0] ?? '';
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = hasRegistry ? first : 'docker.io';
  const path = hasRegistry ? parts.slice(1) : parts;
  const last = path[path.length - 1] ?? '';
  if (last.includes(':')) {
    throw new UserError(`input "image": ${JSON.stringify(name)} has a tag; give the name only and put tags in the "tags" input`);
  }
  if ((hasRegistry && !HOST.test(registry)) || path.length === 0 || !path.every((c) => COMPONENT.test(c))) {
    throw new UserError(
      `input "image": ${JSON.stringify(name)} is not a valid image name (lower-case path like registry.example.com/acme/parking-web)`,
    );
  }
  return { name, registry, repository: path.join('/') };
}
