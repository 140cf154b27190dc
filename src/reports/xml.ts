import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ReportError, stripBom } from './report-error.js';

/**
 * Parses an XML report after validating it, so a truncated or corrupt file is an error naming the
 * file and the line, never a partial result. Attributes keep their names; elements listed in
 * `arrays` are always arrays.
 */
export function parseXml(text: string, source: string, format: string, arrays: readonly string[]): Record<string, unknown> {
  const xml = stripBom(text);
  if (xml.trim() === '') throw new ReportError(source, format, 'the file is empty');
  // Old coverage.py names Cobertura's DTD (`<!DOCTYPE coverage SYSTEM '...dtd'>`, never fetched);
  // no tool declares entities, which only serve to read other files or to expand without end
  // ("billion laughs"): a DOCTYPE with an internal subset is refused, not expanded.
  const declaration = /<!ENTITY|<!DOCTYPE[^>[]*\[/i.exec(xml);
  if (declaration) {
    const line = xml.slice(0, declaration.index).split('\n').length;
    throw new ReportError(source, format, `it declares entities in a DOCTYPE (line ${line}), which the tool never writes; they are not expanded, so the file is refused`);
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new ReportError(source, format, `XML error at line ${line}, column ${col}: ${msg}`);
  }
  const wanted = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    textNodeName: '#text',
    isArray: (name) => wanted.has(name),
  });
  try {
    return parser.parse(xml) as Record<string, unknown>;
  } catch (err) {
    // The parser's own limits (nesting depth, say) end here, named like every other problem.
    throw new ReportError(source, format, err instanceof Error ? err.message : String(err));
  }
}

export type XmlNode = Record<string, unknown>;

export function children(node: unknown, name: string): XmlNode[] {
  if (typeof node !== 'object' || node === null) return [];
  const value = (node as XmlNode)[name];
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? (v as XmlNode) : { '#text': String(v) }));
}

export function attr(node: XmlNode, name: string): string | undefined {
  const v = node[name];
  return typeof v === 'string' ? characterReferences(v) : typeof v === 'number' ? String(v) : undefined;
}

export function text(node: XmlNode): string {
  const v = node['#text'];
  return typeof v === 'string' ? characterReferences(v) : '';
}

/** `&#10;` and `&#x1F;` (pytest writes newlines in attributes this way); the parser leaves them. */
function characterReferences(value: string): string {
  if (!value.includes('&#')) return value;
  return value.replace(/&#(?:(\d+)|x([0-9a-fA-F]+));/g, (whole, dec: string | undefined, hex: string | undefined) => {
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
